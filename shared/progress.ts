/**
 * A one-line "still working" indicator for waits of a few seconds (fetching jars, starting a broker).
 * On a terminal it redraws one stderr line with the elapsed time; elsewhere it stays silent and the
 * caller's log lines tell the story.
 */
const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface Ticker {
  /** Change the text after the spinner. */
  update(text: string): void;
  /** Clear the line and stop. */
  stop(): void;
}

export function startTicker(text: string, stream: NodeJS.WriteStream = process.stderr): Ticker {
  if (!stream.isTTY) return { update() {}, stop() {} };
  const startedAt = Date.now();
  let current = text;
  let frame = 0;
  const draw = (): void => {
    const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
    stream.write(`\r\x1b[2K${frames[frame++ % frames.length]} ${current} (${seconds} s)`);
  };
  draw();
  const timer = setInterval(draw, 100);
  timer.unref();
  return {
    update(next) {
      current = next;
    },
    stop() {
      clearInterval(timer);
      stream.write('\r\x1b[2K');
    },
  };
}
