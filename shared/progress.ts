/**
 * A one-line "still working" indicator for waits of a few seconds (fetching jars, starting a broker).
 * On a terminal it redraws one stderr line with the elapsed time; elsewhere it stays silent and the
 * caller's log lines tell the story. A ticker started while another runs (fetching the jars while
 * starting the broker) takes over the line's text until it stops, so two never draw over each other.
 */
const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface Ticker {
  /** Whether it draws: when false, the caller should log what it is doing instead. */
  readonly visible: boolean;
  /** Change the text after the spinner. */
  update(text: string): void;
  /** Clear the line and stop (an inner ticker gives the line back to the outer one). */
  stop(): void;
}

/** The line being drawn, if any: one per process. */
let drawn: { text: string } | undefined;

export function startTicker(text: string, stream: NodeJS.WriteStream = process.stderr): Ticker {
  if (!stream.isTTY) return { visible: false, update() {}, stop() {} };
  const line = drawn;
  if (line) {
    const outerText = line.text;
    line.text = text;
    return {
      visible: true,
      update: (next) => {
        line.text = next;
      },
      stop: () => {
        line.text = outerText;
      },
    };
  }

  const own = { text };
  drawn = own;
  const startedAt = Date.now();
  let frame = 0;
  const draw = (): void => {
    const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
    stream.write(`\r\x1b[2K${frames[frame++ % frames.length]} ${own.text} (${seconds} s)`);
  };
  draw();
  const timer = setInterval(draw, 100);
  timer.unref();
  return {
    visible: true,
    update: (next) => {
      own.text = next;
    },
    stop() {
      clearInterval(timer);
      if (drawn === own) drawn = undefined;
      stream.write('\r\x1b[2K');
    },
  };
}
