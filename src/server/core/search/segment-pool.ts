import os from 'node:os';
import { startThread } from '../threads';
import type { RequestText, SearchDocument } from './request-index';
import { hashUserWords, normalizeUserWords, type UserWord } from './segmenter';

/**
 * Segmentation of bulk writes (history generation, imports) on worker threads: jieba is the CPU-heavy
 * part of indexing, and a batch can be segmented on the other cores while the main thread builds and
 * writes rows. Each worker loads the same city dictionary the caller's segmenter has, so documents are
 * the same as toSearchDocument's in the main thread. A pool lives as long as the process and keeps
 * no process alive when idle; when workers cannot start (no TypeScript loader, a sandbox), callers
 * segment in their own thread.
 */

export interface SegmentPool {
  /** The documents of `rows`, in order, segmented on the pool's threads. */
  documents(rows: RequestText[]): Promise<SearchDocument[]>;
}

interface Member {
  ready: Promise<void>;
  send(rows: RequestText[]): Promise<SearchDocument[]>;
}

// Batches below this are segmented faster in place than sent to a thread and back.
const MIN_PARALLEL_ROWS = 256;
const pools = new Map<string, Promise<SegmentPool | null>>();

/**
 * Segmentation threads worth starting for a long bulk job: one per core but the writer's, none on a
 * single core. The writer (row building, SQLite) is the bottleneck, so a thread that competes with it
 * for a core costs more than it segments: on 2 cores, 301 780 generated requests took 40.9 s with one
 * thread and 45.3 s with two.
 */
export function segmentationThreads(): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(0, cores - 1);
}

function startMember(words: UserWord[]): Member {
  const thread = startThread<{ rows: RequestText[] }, { docs: SearchDocument[] }>(import.meta.url, 'segment-worker', { words });
  return { ready: thread.ready, send: async (rows) => (await thread.send({ rows })).docs };
}

async function startPool(words: UserWord[], size: number): Promise<SegmentPool | null> {
  if (size < 1) return null;
  let members: Member[];
  try {
    members = Array.from({ length: size }, () => startMember(words));
    await Promise.all(members.map((m) => m.ready));
  } catch {
    return null;
  }
  return {
    async documents(rows) {
      if (rows.length < MIN_PARALLEL_ROWS) throw new Error('batch too small for the pool');
      const per = Math.ceil(rows.length / members.length);
      const parts = await Promise.all(members.map((m, i) => (i * per < rows.length ? m.send(rows.slice(i * per, (i + 1) * per)) : Promise.resolve([]))));
      return parts.flat();
    },
  };
}

/**
 * The shared pool for a dictionary (null where threads cannot be used), started on first use: starting
 * takes about as long as loading jieba's dictionary, so short jobs should not wait for it.
 */
export function segmentPoolFor(words: UserWord[], size = segmentationThreads()): Promise<SegmentPool | null> {
  const clean = normalizeUserWords(words);
  const key = `${hashUserWords(clean)}:${size}`;
  let pool = pools.get(key);
  if (!pool) {
    pool = startPool(clean, size);
    pools.set(key, pool);
  }
  return pool;
}

/** Whether a batch of this size is worth a trip to the pool. */
export function isPoolBatch(rows: number): boolean {
  return rows >= MIN_PARALLEL_ROWS;
}
