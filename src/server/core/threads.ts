import { Worker } from 'node:worker_threads';

/**
 * Worker threads for the bulk jobs' CPU work (segmentation, building generated rows). A thread answers
 * each message with one reply of the same id; it keeps no process alive while idle, and a thread that
 * dies fails what was sent to it.
 */

export interface Thread<In, Out> {
  /** Settles once the thread has started (it posts `{ id: 0, ready: true }`); rejects when it could not. */
  ready: Promise<void>;
  send(message: In): Promise<Out>;
  terminate(): Promise<void>;
}

/**
 * The code a worker thread starts with, for the entry module `entry` beside the module at `moduleUrl`.
 * From the TypeScript sources (tests, the CLI, `npm run dev`) the thread registers tsx's loader, then
 * imports `entry.ts`. In the server's bundle (scripts/start.mjs) the caller sits in dist/server/main.mjs,
 * and the entry's own bundle, `entry.mjs`, beside it.
 */
export function workerBoot(moduleUrl: string, entry: string): string {
  if (!/\.[cm]?ts$/.test(new URL(moduleUrl).pathname)) return `import(${JSON.stringify(new URL(`./${entry}.mjs`, moduleUrl).href)});`;
  const loader = import.meta.resolve('tsx/esm/api');
  const url = new URL(`./${entry}.ts`, moduleUrl).href;
  return `import(${JSON.stringify(loader)}).then(({ register }) => { register(); return import(${JSON.stringify(url)}); });`;
}

/** Starts the thread `entry` (see workerBoot) with `workerData`. Replies `{ id, error }` reject the send. */
export function startThread<In, Out>(moduleUrl: string, entry: string, workerData: unknown): Thread<In, Out> {
  const worker = new Worker(workerBoot(moduleUrl, entry), { eval: true, workerData });
  const pending = new Map<number, { resolve: (out: Out) => void; reject: (err: Error) => void }>();
  let nextId = 1;
  // Referenced while starting and while a message is in flight (a caller awaits it), not when idle.
  let refs = 0;
  let dead: Error | null = null;
  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (m: { id: number; ready?: boolean; error?: string } & Record<string, unknown>) => {
      if (m.ready) {
        if (refs === 0) worker.unref();
        return resolve();
      }
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (--refs === 0) worker.unref();
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m as unknown as Out);
    });
    const fail = (err: Error) => {
      dead ??= err;
      reject(err);
      for (const p of pending.values()) p.reject(err);
      pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`worker thread ${entry} exited (${code})`)));
  });
  // A failed start is the caller's to handle (through `ready`), not an unhandled rejection.
  ready.catch(() => {});
  const send = (message: In) => new Promise<Out>((resolve, reject) => {
    if (dead) return reject(dead);
    const id = nextId++;
    pending.set(id, { resolve, reject });
    if (refs++ === 0) worker.ref();
    worker.postMessage({ ...message, id });
  });
  return { ready, send, terminate: async () => void (await worker.terminate()) };
}
