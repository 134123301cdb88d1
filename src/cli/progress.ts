/** A one-line progress bar on stderr, drawn only when stderr is a terminal (never in pipes or CI logs). */
export interface Progress {
  /** `label` may be a function: it is called only when the bar is drawn (at most every 100 ms, on a terminal). */
  update(done: number, total: number, label?: string | (() => string)): void;
  done(message?: string): void;
}

/** Starts a progress bar named `title`. */
export function progressBar(title: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const enabled = Boolean(stream.isTTY);
  let last = 0;
  return {
    update(done, total, label = '') {
      if (!enabled || Date.now() - last < 100) return;
      last = Date.now();
      const width = 30;
      const share = total > 0 ? Math.min(1, done / total) : 0;
      const filled = Math.round(share * width);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      stream.write(
        `\r${title} ${bar} ${String(Math.round(share * 100)).padStart(3)}% ${typeof label === 'function' ? label() : label}`
          .slice(0, (stream.columns || 100) - 1)
          .padEnd(Math.min(stream.columns || 100, 100) - 1),
      );
    },
    done(message) {
      if (!enabled) return;
      stream.write(`\r${' '.repeat(Math.min(stream.columns || 100, 100) - 1)}\r`);
      if (message) stream.write(`${message}\n`);
    },
  };
}
