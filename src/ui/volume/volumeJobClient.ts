// Client of the 3-D edit worker (volumeEdit.worker.ts): one job at a time, with progress and cancel.
// The volume is copied once here and the copy transferred (the main thread keeps its mask, unchanged,
// until the change comes back); cancel stops the worker at once (a new one starts for the next job), so
// a cancelled job never touches the mask. Where no Worker exists (Node tests) the job runs in the
// calling thread.
import { runVolumeJob, type VolumeJob, type VolumeJobReply } from '../../mask/volumeJobs';
import type { VolumeChange } from '../../mask/volumeEdit';

/** The job was cancelled by the user: not an error worth a red notice. */
export class VolumeJobCancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'VolumeJobCancelled';
  }
}

export interface RunningVolumeJob {
  /** The change, and the worker's copy of the volume with the change applied. */
  result: Promise<{ change: VolumeChange; vol: Uint8Array }>;
  cancel(): void;
}

let worker: Worker | null = null;
let nextId = 1;

function spawn(): Worker {
  return new Worker(new URL('./volumeEdit.worker.ts', import.meta.url), { type: 'module', name: 'vlsm-volume-edit' });
}

/** Starts a job on a copy of `vol` (the job's own `vol` is replaced by that copy). */
export function startVolumeJob(job: VolumeJob, onProgress: (fraction: number) => void): RunningVolumeJob {
  const copy = job.vol.slice();
  const sent = { ...job, vol: copy } as VolumeJob;
  if (typeof Worker !== 'function') {
    try {
      return { result: Promise.resolve({ change: runVolumeJob(sent, onProgress).change, vol: copy }), cancel: () => {} };
    } catch (e) {
      return { result: Promise.reject(e instanceof Error ? e : new Error(String(e))), cancel: () => {} };
    }
  }
  const w = (worker ??= spawn());
  const id = nextId++;
  let resolve!: (r: { change: VolumeChange; vol: Uint8Array }) => void;
  let reject!: (e: Error) => void;
  const result = new Promise<{ change: VolumeChange; vol: Uint8Array }>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  let finished = false;
  const done = () => {
    finished = true;
    w.removeEventListener('message', onMessage);
    w.removeEventListener('error', onError);
  };
  const onMessage = (e: MessageEvent<VolumeJobReply>) => {
    const r = e.data;
    if (r.id !== id) return;
    if (r.kind === 'progress') return onProgress(r.fraction);
    done();
    if (r.kind === 'done') resolve({ change: r.change, vol: r.vol });
    else reject(new Error(r.message));
  };
  const onError = (e: ErrorEvent) => {
    e.preventDefault();
    done();
    w.terminate();
    if (worker === w) worker = null;
    reject(new Error(`the 3-D edit worker stopped: ${e.message || 'worker error'}`));
  };
  w.addEventListener('message', onMessage);
  w.addEventListener('error', onError);
  w.postMessage({ id, job: sent }, [copy.buffer]);
  return {
    result,
    cancel: () => {
      if (finished) return;
      done();
      w.terminate();
      if (worker === w) worker = null;
      reject(new VolumeJobCancelled());
    },
  };
}
