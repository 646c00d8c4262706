/**
 * The house rules on imports (../shared/STYLE.md, "Imports point one way"), checked on every run
 * rather than hoped for: each relative import of the sources is resolved to the file it names, and
 * an import that points the wrong way, names no file, or closes a cycle inside one folder fails the
 * test with the file and the rule it breaks.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../shared/paths.js';

/** The folders whose imports are checked, each a role of its own. */
const Areas = {
  shared: 'shared/',
  kafka: 'kafka/',
  producer: 'producer/',
  engine: 'consumer/engine/',
  cli: 'consumer/cli/',
  admin: 'consumer/admin/',
  workshop: 'workshop/',
} as const;
type Area = keyof typeof Areas;
const allowedAreas = Object.keys(Areas) as Area[];
const consumerAreas: readonly Area[] = ['engine', 'cli', 'admin'];

interface Rule {
  /** The rule in words, as the failure prints it. */
  readonly text: string;
  /** Whether a module of this area may import `to` (undefined: a file outside every area, such as test/). */
  readonly allows: (to: Area | undefined) => boolean;
}

const never =
  (...forbidden: Area[]) =>
  (to: Area | undefined): boolean =>
    to !== undefined && !forbidden.includes(to);

const rules: Record<Area, Rule> = {
  shared: { text: 'shared/ imports none of kafka/, producer/, consumer/, workshop/', allows: (to) => to === 'shared' },
  kafka: { text: 'kafka/ never imports producer/, consumer/ or workshop/', allows: never('producer', ...consumerAreas, 'workshop') },
  producer: { text: 'producer/ never imports consumer/ or workshop/', allows: never(...consumerAreas, 'workshop') },
  engine: {
    text: 'consumer/engine/ never imports consumer/cli/, consumer/admin/, producer/ or workshop/',
    allows: never('cli', 'admin', 'producer', 'workshop'),
  },
  cli: { text: 'consumer/cli/ never imports consumer/admin/, producer/ or workshop/', allows: never('admin', 'producer', 'workshop') },
  admin: { text: 'consumer/admin/ imports only consumer/engine/ and shared/', allows: (to) => to === 'admin' || to === 'engine' || to === 'shared' },
  workshop: { text: 'workshop/ may import anything but consumer/admin/', allows: never('admin') },
};

function areaOf(path: string): Area | undefined {
  return allowedAreas.find((area) => path.startsWith(Areas[area]));
}

// `from '…'` covers import, import type and export … from; `import '…'` a side-effect import; `import('…')` a dynamic one.
const relativeImport = /\b(?:from|import)\s*\(?\s*(['"])(\.{1,2}\/[^'"]*)\1/g;

/**
 * The source with comments, template literals and double-quoted strings blanked out: Biome keeps module
 * specifiers in single quotes, so anything in those is text (a hint quoting an import, a doc comment),
 * never an import. Single-quoted strings stay, since the specifiers are among them.
 */
function codeOnly(source: string): string {
  let out = '';
  let quote: string | undefined;
  for (let index = 0; index < source.length; index += 1) {
    const char = source[index] ?? '';
    const next = source[index + 1];
    if (quote === undefined) {
      if (char === '/' && next === '/') {
        const end = source.indexOf('\n', index);
        index = end === -1 ? source.length : end - 1;
        continue;
      }
      if (char === '/' && next === '*') {
        const end = source.indexOf('*/', index + 2);
        index = end === -1 ? source.length : end + 1;
        continue;
      }
      if (char === "'" || char === '"' || char === '`') quote = char;
      out += char;
      continue;
    }
    if (char === '\\') {
      out += quote === "'" ? char + (next ?? '') : '  ';
      index += 1;
      continue;
    }
    if (char === quote) {
      quote = undefined;
      out += char;
      continue;
    }
    out += quote === "'" || char === '\n' ? char : ' ';
  }
  return out;
}

function relativeImportsOf(source: string): string[] {
  return [...codeOnly(source).matchAll(relativeImport)].map((match) => match[2] ?? '');
}

/** The source file an import names: NodeNext writes `./x.js` for `./x.ts`. Undefined when there is none. */
function resolveImport(from: string, specifier: string, exists: (path: string) => boolean): string | undefined {
  const target = posix.normalize(posix.join(posix.dirname(from), specifier));
  const candidates = target.endsWith('.js') ? [`${target.slice(0, -'.js'.length)}.ts`, target] : [target, `${target}.ts`, `${target}/index.ts`];
  return candidates.find(exists);
}

interface Edge {
  readonly from: string;
  readonly specifier: string;
  readonly to: string | undefined;
}

function importEdges(sources: ReadonlyMap<string, string>, exists: (path: string) => boolean): Edge[] {
  return [...sources].flatMap(([from, source]) =>
    relativeImportsOf(source).map((specifier) => ({ from, specifier, to: resolveImport(from, specifier, exists) })),
  );
}

/** Every import that breaks a rule or names no file, one line each. */
function forbiddenImports(edges: readonly Edge[]): string[] {
  const findings: string[] = [];
  for (const edge of edges) {
    if (edge.to === undefined) {
      findings.push(`${edge.from} imports ${edge.specifier}, which names no file`);
      continue;
    }
    const from = areaOf(edge.from);
    if (from === undefined) continue;
    const rule = rules[from];
    if (!rule.allows(areaOf(edge.to))) findings.push(`${edge.from} imports ${edge.specifier} (${edge.to}): ${rule.text}`);
  }
  return findings;
}

/** Each cycle among the modules of one folder, as the chain of files that closes it. */
function folderCycles(edges: readonly Edge[]): string[] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) {
    if (to === undefined || posix.dirname(from) !== posix.dirname(to)) continue;
    next.set(from, [...(next.get(from) ?? []), to]);
  }
  const cycles: string[] = [];
  const done = new Set<string>();
  const visit = (file: string, chain: string[]): void => {
    const seenAt = chain.indexOf(file);
    if (seenAt !== -1) {
      cycles.push([...chain.slice(seenAt), file].join(' → '));
      return;
    }
    if (done.has(file)) return;
    for (const to of next.get(file) ?? []) visit(to, [...chain, file]);
    done.add(file);
  };
  for (const file of [...next.keys()].sort((a, b) => a.localeCompare(b))) visit(file, []);
  return cycles;
}

function sourceFilesUnder(folder: string): string[] {
  if (!existsSync(posix.join(projectRoot, folder))) return [];
  return readdirSync(posix.join(projectRoot, folder), { recursive: true, encoding: 'utf8' })
    .map((path) => posix.join(folder, path.replaceAll('\\', '/')))
    .filter((path) => path.endsWith('.ts') && !path.endsWith('.d.ts'));
}

function projectSources(): Map<string, string> {
  const files = ['shared', 'kafka', 'producer', 'consumer', 'workshop'].flatMap(sourceFilesUnder);
  return new Map(files.map((path) => [path, readFileSync(posix.join(projectRoot, path), 'utf8')]));
}

/** The checks on an in-memory tree, so the tests of the checker need no files. */
function checkTree(tree: Record<string, string>): { forbidden: string[]; cycles: string[] } {
  const sources = new Map(Object.entries(tree));
  const edges = importEdges(sources, (path) => sources.has(path));
  return { forbidden: forbiddenImports(edges), cycles: folderCycles(edges) };
}

describe('the house: imports point one way', () => {
  const sources = projectSources();
  const edges = importEdges(sources, (path) => existsSync(posix.join(projectRoot, path)));

  it('finds the sources and their imports', () => {
    // A glob or regex gone wrong would find nothing and pass every rule; these are known to exist.
    expect([...sources.keys()]).toEqual(expect.arrayContaining(['shared/config.ts', 'kafka/layout.ts', 'producer/run.ts', 'consumer/admin/settings.ts']));
    expect(edges).toEqual(
      expect.arrayContaining([
        { from: 'consumer/admin/settings.ts', specifier: '../../shared/config.js', to: 'shared/config.ts' },
        // Dynamic: the worker thread loads the produce loop only when it starts.
        { from: 'producer/run.ts', specifier: './produce-loop.js', to: 'producer/produce-loop.ts' },
      ]),
    );
  });

  it('breaks no rule', () => {
    expect(forbiddenImports(edges)).toEqual([]);
  });

  it('has no import cycle among the modules of one folder', () => {
    expect(folderCycles(edges)).toEqual([]);
  });
});

describe('the import checker', () => {
  it('reports each forbidden import with the rule it breaks, static, type-only, re-exported or dynamic', () => {
    const { forbidden } = checkTree({
      'shared/config.ts': "import { kafkaVersion } from '../kafka/layout.js';\n",
      'kafka/layout.ts': "export const kafkaVersion = '4.3.1';\nexport type { Row } from '../consumer/cli/types.js';\n",
      'consumer/cli/types.ts': 'export interface Row {}\n',
      'consumer/engine/stats.ts': "const { run } = await import('../admin/app.js');\n",
      'consumer/admin/app.ts': "import type { Settings } from '../../kafka/layout.js';\nimport '../cli/types.js';\nimport { ok } from './ok.js';\n",
      'consumer/admin/ok.ts': "import { kafkaVersion } from '../../shared/config.js';\nimport { stats } from '../engine/stats.js';\n",
      'producer/run.ts': "import { run } from '../consumer/engine/stats.js';\nimport { x } from '../workshop/lib/types.js';\n",
      'workshop/lib/types.ts': "import { Row } from '../../consumer/cli/types.js';\nimport { app } from '../../consumer/admin/app.js';\n",
    });

    expect(forbidden).toEqual([
      'shared/config.ts imports ../kafka/layout.js (kafka/layout.ts): shared/ imports none of kafka/, producer/, consumer/, workshop/',
      'kafka/layout.ts imports ../consumer/cli/types.js (consumer/cli/types.ts): kafka/ never imports producer/, consumer/ or workshop/',
      'consumer/engine/stats.ts imports ../admin/app.js (consumer/admin/app.ts): consumer/engine/ never imports consumer/cli/, consumer/admin/, producer/ or workshop/',
      'consumer/admin/app.ts imports ../../kafka/layout.js (kafka/layout.ts): consumer/admin/ imports only consumer/engine/ and shared/',
      'consumer/admin/app.ts imports ../cli/types.js (consumer/cli/types.ts): consumer/admin/ imports only consumer/engine/ and shared/',
      'producer/run.ts imports ../consumer/engine/stats.js (consumer/engine/stats.ts): producer/ never imports consumer/ or workshop/',
      'producer/run.ts imports ../workshop/lib/types.js (workshop/lib/types.ts): producer/ never imports consumer/ or workshop/',
      'workshop/lib/types.ts imports ../../consumer/admin/app.js (consumer/admin/app.ts): workshop/ may import anything but consumer/admin/',
    ]);
  });

  it('reads no import in comments, template literals or double-quoted strings (a hint may quote one)', () => {
    const { forbidden } = checkTree({
      'shared/config.ts':
        "/** Not: import { x } from '../kafka/layout.js'; */\n" +
        "// import { y } from '../kafka/layout.js';\n" +
        'const hint = "`import { z } from \'../kafka/layout.js\';` then call z()";\n' +
        "const text = `from '../kafka/layout.js'`;\n" +
        "const path = '../kafka/layout.js';\n",
      'kafka/layout.ts': "export const kafkaVersion = '4.3.1';\n",
    });
    expect(forbidden).toEqual([]);
    expect(codeOnly("import { a } from './a.js'; // from '../b.js'")).toBe("import { a } from './a.js'; ");
  });

  it('reports an import that names no file, since its direction cannot be checked', () => {
    expect(checkTree({ 'shared/a.ts': "import { b } from './b.js';\n" }).forbidden).toEqual(['shared/a.ts imports ./b.js, which names no file']);
  });

  it('ignores package imports', () => {
    expect(checkTree({ 'shared/a.ts': "import { Kafka } from 'kafkajs';\nimport { join } from 'node:path';\n" }).forbidden).toEqual([]);
  });

  it('reports a cycle inside one folder, not one across folders', () => {
    const { cycles } = checkTree({
      'producer/options.ts': "import type { Row } from './types.js';\n",
      'producer/types.ts': "import { acks } from './enumerations.js';\n",
      'producer/enumerations.ts': "import type { Options } from './options.js';\n",
      'workshop/lib/a.ts': "import { b } from '../runner/b.js';\n",
      'workshop/runner/b.ts': "import { a } from '../lib/a.js';\n",
    });

    expect(cycles).toEqual(['producer/enumerations.ts → producer/options.ts → producer/types.ts → producer/enumerations.ts']);
  });
});
