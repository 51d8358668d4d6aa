import { parentPort, workerData } from 'node:worker_threads';
import { segmenterFor, toSearchDocument, type UserWord } from '../../core/search';
import { rollupOf } from './requests.bulk';
import { batchBuilder, type BatchSpec, type GenerateRun } from './requests.generate';

/**
 * One builder thread of the history generator (requests.generate.ts): builds the batches it is sent, with
 * their KPI rollup rows and their search documents, from the run's reference data and the city's dictionary.
 */
const { run, words } = workerData as { run: GenerateRun; words: UserWord[] };
const build = batchBuilder(run);
const seg = segmenterFor(words);
parentPort!.on('message', (m: { id: number; spec: BatchSpec }) => {
  build(m.spec).then((batch) => {
    batch.rollup = rollupOf(batch.requests, batch.orders);
    parentPort!.postMessage({ id: m.id, batch, docs: batch.requests.map((r) => toSearchDocument(seg, r)) });
  }, (error: unknown) => parentPort!.postMessage({ id: m.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
});
parentPort!.postMessage({ id: 0, ready: true });
