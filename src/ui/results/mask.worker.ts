// Web Worker for whole-scan mask work (src/mask/jobs.ts): scoring and preparing a model result, so the
// main thread keeps painting while it runs. Replies carry the request id; buffers go back transferred. A
// prepared run's overlay (a reference's outline) goes back as an ImageBitmap made here: the page draws it as it is, with no
// putImageData of the scan's size on its own thread.
import { runMaskJob, type MaskJob } from '../../mask/jobs';
import type { MaskWorkerReply } from './maskWorker';

const scope = globalThis as unknown as {
  postMessage(message: MaskWorkerReply, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: MessageEvent<{ id: number; job: MaskJob }>) => void): void;
};

scope.addEventListener('message', async (e) => {
  const { id, job } = e.data;
  try {
    const { result, transfer } = runMaskJob(job);
    if ((result.type === 'prepareRun' || result.type === 'prepareReference') && typeof createImageBitmap === 'function') {
      const { width, height } = result.mask;
      const bitmap = await createImageBitmap(new ImageData(result.rgba, width, height));
      const rest = transfer.filter((b) => b !== result.rgba.buffer);
      scope.postMessage({ id, ok: true, result: { ...result, rgba: new Uint8ClampedArray(0), bitmap } }, [...rest, bitmap]);
      return;
    }
    scope.postMessage({ id, ok: true, result }, transfer);
  } catch (err) {
    scope.postMessage({ id, ok: false, message: err instanceof Error ? err.message : String(err) }, []);
  }
});
