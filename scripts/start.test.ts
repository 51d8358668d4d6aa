import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { startZhengtong, type ChildServer } from '../bench/servers';
import { toSearchDocument, type RequestText, type SearchDocument } from '../src/server/core/search/request-index';
import { segmenterFor } from '../src/server/core/search/segmenter';
import { workerBoot } from '../src/server/core/threads';
import { SERVER_ENTRY } from './start.mjs';

// What `npm start` runs: the server's bundle in dist/server, plain Node without the TypeScript loader.
describe('the server bundle (npm start)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-bundle-'));
  let server: ChildServer | undefined;
  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts on a new database and answers the API as the sources do', async () => {
    server = await startZhengtong(path.join(dir, 'zt.db'));
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const res = await fetch(`${server.url}/api/v1/requests`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'AUTH_REQUIRED', message: '请先登录' });
    const spec = await (await fetch(`${server.url}/api/docs/json`)).json() as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths)).toContain('/api/v1/requests');
  }, 120_000);

  it('segments bulk batches on worker threads started from the bundle', async () => {
    const boot = workerBoot(pathToFileURL(SERVER_ENTRY).href, 'segment-worker');
    expect(boot).not.toContain('tsx');
    const worker = new Worker(boot, { eval: true, workerData: { words: [] } });
    try {
      const row: RequestText = { title: '小区夜间施工噪音扰民', content: '幸福路12号工地每晚十点以后还在施工，噪音很大，影响休息。', address: '幸福路12号', reply_text: null };
      const docs = await new Promise<SearchDocument[]>((resolve, reject) => {
        worker.on('error', reject);
        worker.on('message', (m: { id: number; ready?: boolean; docs?: SearchDocument[] }) => {
          if (m.ready) worker.postMessage({ id: 1, rows: [row] });
          else if (m.id === 1) resolve(m.docs!);
        });
      });
      expect(docs).toEqual([toSearchDocument(segmenterFor([]), row)]);
      expect(docs[0].body).toContain('噪音');
    } finally {
      await worker.terminate();
    }
  }, 60_000);
});
