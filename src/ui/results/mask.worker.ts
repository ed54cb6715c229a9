// Web Worker for whole-scan mask work (src/mask/jobs.ts): scoring and preparing a model result, so the
// main thread keeps painting while it runs. Replies carry the request id; buffers go back transferred.
import { runMaskJob, type MaskJob } from '../../mask/jobs';
import type { MaskWorkerReply } from './maskWorker';

const scope = globalThis as unknown as {
  postMessage(message: MaskWorkerReply, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: MessageEvent<{ id: number; job: MaskJob }>) => void): void;
};

scope.addEventListener('message', (e) => {
  const { id, job } = e.data;
  try {
    const { result, transfer } = runMaskJob(job);
    scope.postMessage({ id, ok: true, result }, transfer);
  } catch (err) {
    scope.postMessage({ id, ok: false, message: err instanceof Error ? err.message : String(err) }, []);
  }
});
