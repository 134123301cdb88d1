/** A one-line progress bar on stderr, drawn only when stderr is a terminal (never in pipes or CI logs). */
export interface Progress {
  /**
   * `label` may be a function: it is called only when the bar is drawn (at most every 100 ms, on a
   * terminal). A `total` of null (work whose size is not known ahead, such as a zip written as it
   * streams) draws the label alone, without a bar or a share that would be a guess.
   */
  update(done: number, total: number | null, label?: string | (() => string)): void;
  done(message?: string): void;
}

// A 30-cell bar and the share in percent.
function bar(share: number): string {
  const filled = Math.round(share * 30);
  return `${'█'.repeat(filled)}${'░'.repeat(30 - filled)} ${String(Math.round(share * 100)).padStart(3)}%`;
}

/** Starts a progress bar named `title`. */
export function progressBar(title: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const enabled = Boolean(stream.isTTY);
  let last = 0;
  return {
    update(done, total, label = '') {
      if (!enabled || Date.now() - last < 100) return;
      last = Date.now();
      const text = typeof label === 'function' ? label() : label;
      stream.write(
        `\r${title} ${total === null ? '' : `${bar(total > 0 ? Math.min(1, done / total) : 0)} `}${text}`.slice(0, (stream.columns || 100) - 1).padEnd(Math.min(stream.columns || 100, 100) - 1),
      );
    },
    done(message) {
      if (!enabled) return;
      stream.write(`\r${' '.repeat(Math.min(stream.columns || 100, 100) - 1)}\r`);
      if (message) stream.write(`${message}\n`);
    },
  };
}
