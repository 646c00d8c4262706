/**
 * Reads a Java `.properties` file as Kafka's own tools take it (`--command-config client.properties`):
 * `key=value`, `key: value` or `key value`; `#` and `!` comments; a backslash at the end of a line
 * continues it; `\t`, `\n`, `\uXXXX` and `\<char>` escapes. Later keys win, as in java.util.Properties.
 */

export interface PropertyEntry {
  key: string;
  value: string;
  /** 1-based line where the entry starts, for messages. */
  line: number;
}

function unescapeJava(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, escaped: string) => {
    if (escaped.length === 5) return String.fromCharCode(Number.parseInt(escaped.slice(1), 16));
    if (escaped === 't') return '\t';
    if (escaped === 'n') return '\n';
    if (escaped === 'r') return '\r';
    if (escaped === 'f') return '\f';
    return escaped;
  });
}

/** Whether a line ends in an odd number of backslashes: then the newline is escaped and the entry goes on. */
function continues(line: string): boolean {
  const trailing = /\\*$/.exec(line)?.[0].length ?? 0;
  return trailing % 2 === 1;
}

export function parseJavaProperties(text: string): PropertyEntry[] {
  const lines = text.split(/\r\n|\r|\n/);
  const entries: PropertyEntry[] = [];
  for (let index = 0; index < lines.length; index++) {
    const start = index;
    let logical = (lines[index] ?? '').replace(/^[ \t\f]+/, '');
    if (logical === '' || logical.startsWith('#') || logical.startsWith('!')) continue;
    while (continues(logical) && index + 1 < lines.length) {
      index++;
      logical = logical.slice(0, -1) + (lines[index] ?? '').replace(/^[ \t\f]+/, '');
    }
    // The key ends at the first unescaped '=', ':' or whitespace.
    const match = /^((?:\\.|[^=:\s\\])*)\s*[=:]?\s*(.*)$/s.exec(logical);
    const rawKey = match?.[1] ?? logical;
    const rawValue = match?.[2] ?? '';
    entries.push({ key: unescapeJava(rawKey), value: unescapeJava(rawValue), line: start + 1 });
  }
  return entries;
}
