/**
 * A progress bar on stderr for long runs: only on a TTY, only once a run has lasted a second,
 * redrawn at most ten times a second, erased at the end.
 */

export interface Progress {
  update(done: number, total: number): void;
  end(): void;
}

export function progressBar(enabled: boolean, label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!enabled || !stream.isTTY) return { update() {}, end() {} };
  const started = Date.now();
  let last = 0;
  let drawn = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - started < 1000 || now - last < 100) return;
      last = now;
      drawn = true;
      const width = 30;
      const filled = total ? Math.round((done / total) * width) : 0;
      stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
    },
    end() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
