/** A one-line progress bar on stderr for long commands (plain lines when not a terminal). */
export function createProgress(label: string, total?: number) {
  const tty = process.stderr.isTTY;
  let last = 0;
  const started = Date.now();
  return {
    update(done: number) {
      const now = Date.now();
      if (now - last < (tty ? 100 : 2000) && done !== total) return;
      last = now;
      const rate = done / Math.max((now - started) / 1000, 0.001);
      const text = total
        ? `${label} [${'#'.repeat(Math.round((done / total) * 30)).padEnd(30, '.')}] ${done}/${total} (${Math.round(rate)}/s)`
        : `${label} ${done} (${Math.round(rate)}/s)`;
      process.stderr.write(tty ? `\r${text}` : `${text}\n`);
    },
    done(message?: string) {
      if (tty) process.stderr.write('\n');
      if (message) process.stderr.write(`${message}\n`);
    },
  };
}
