import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { AppContext } from '../../context';
import { runDueJobs } from './jobs.service';

/** Polls the jobs table; any number of instances may run one (claims never overlap). */
export function startJobWorker(ctx: AppContext, opts: { intervalMs?: number } = {}) {
  const workerId = `${os.hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  const tick = async () => {
    if (stopped) return;
    running = runDueJobs(ctx, { workerId }).catch((err) => ctx.log.error({ err }, 'job worker tick failed'));
    await running;
    if (!stopped) timer = setTimeout(tick, opts.intervalMs ?? 1000);
  };
  let timer: NodeJS.Timeout = setTimeout(tick, opts.intervalMs ?? 1000);
  return {
    workerId,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
