import { describe, expect, it } from 'vitest';
import type { Database } from './database';
import { sharedRead } from './shared-read';

// The key space belongs to a database: any object stands for one here (the reads below touch none).
const database = {} as Database;

/** A read the test finishes by hand, counting how often it was started. */
function controlledRead() {
  let open: Array<{ resolve: (v: string) => void; reject: (e: Error) => void }> = [];
  let started = 0;
  const read = () => {
    started++;
    return new Promise<string>((resolve, reject) => open.push({ resolve, reject }));
  };
  /** Ends every read started so far. */
  const end = (how: (r: (typeof open)[number]) => void) => {
    const now = open;
    open = [];
    now.forEach(how);
  };
  return { read, started: () => started, finish: (v: string) => end((r) => r.resolve(v)), fail: (e: Error) => end((r) => r.reject(e)) };
}

describe('sharedRead', () => {
  it('serves the callers that arrive during one read with that read, and reads again after it', async () => {
    const r = controlledRead();
    const burst = Array.from({ length: 10 }, () => sharedRead(database, 'k', r.read));
    expect(r.started()).toBe(1);
    r.finish('v1');
    expect(await Promise.all(burst)).toEqual(Array(10).fill('v1'));
    // Nothing is kept: a caller after the read sees what the database says now.
    const later = sharedRead(database, 'k', r.read);
    expect(r.started()).toBe(2);
    r.finish('v2');
    expect(await later).toBe('v2');
  });

  it('shares nothing between keys or databases', async () => {
    const r = controlledRead();
    const other = {} as Database;
    const reads = [sharedRead(database, 'a', r.read), sharedRead(database, 'b', r.read), sharedRead(other, 'a', r.read)];
    expect(r.started()).toBe(3);
    r.finish('x');
    expect(await Promise.all(reads)).toEqual(['x', 'x', 'x']);
  });

  it('hands a failed read\'s error to each of its callers, and the next caller reads anew', async () => {
    const r = controlledRead();
    const burst = [sharedRead(database, 'f', r.read), sharedRead(database, 'f', r.read)];
    r.fail(new Error('connection lost'));
    for (const p of burst) await expect(p).rejects.toThrow('connection lost');
    const again = sharedRead(database, 'f', r.read);
    expect(r.started()).toBe(2);
    r.finish('ok');
    expect(await again).toBe('ok');
  });
});
