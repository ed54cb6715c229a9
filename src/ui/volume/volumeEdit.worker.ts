// Web Worker for long 3-D mask edits (src/mask/volumeJobs.ts): fill between slices and keep / remove a
// 3-D component, on a transferred copy of the volume mask. Reports progress at most every 100 ms; the
// change goes back transferred. Cancelling stops this worker (volumeJobClient.ts).
import { runVolumeJob, type VolumeJob, type VolumeJobReply } from '../../mask/volumeJobs';

const scope = globalThis as unknown as {
  postMessage(message: VolumeJobReply, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: MessageEvent<{ id: number; job: VolumeJob }>) => void): void;
};

scope.addEventListener('message', (e) => {
  const { id, job } = e.data;
  let last = 0;
  try {
    const { change, transfer } = runVolumeJob(job, (fraction) => {
      const now = performance.now();
      if (now - last < 100) return;
      last = now;
      scope.postMessage({ id, kind: 'progress', fraction }, []);
    });
    scope.postMessage({ id, kind: 'done', change, vol: job.vol }, transfer);
  } catch (err) {
    scope.postMessage({ id, kind: 'failed', message: err instanceof Error ? err.message : String(err) }, []);
  }
});
