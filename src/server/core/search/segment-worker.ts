import { parentPort, workerData } from 'node:worker_threads';
import { toSearchDocument, type RequestText } from './request-index';
import { segmenterFor, type UserWord } from './segmenter';

/**
 * One thread of the segmentation pool (segment-pool.ts): builds the segmenter of the dictionary it was
 * started with, then turns batches of request texts into search documents.
 */
const seg = segmenterFor((workerData as { words: UserWord[] }).words);
parentPort!.on('message', (m: { id: number; rows: RequestText[] }) => {
  parentPort!.postMessage({ id: m.id, docs: m.rows.map((r) => toSearchDocument(seg, r)) });
});
parentPort!.postMessage({ id: 0, ready: true });
