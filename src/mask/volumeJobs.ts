// Long 3-D mask edits that run in a Web Worker (ui/volume/volumeEdit.worker.ts) so the page never
// freezes: fill between slices (shape-based interpolation) and keep / remove a 6-connected component.
// The worker gets a copy of the volume mask (transferred, so it is copied once, on the main thread),
// edits that copy and answers with the change only (voxel indices with their values before and after,
// transferred back); the main thread applies the change to its mask as one undo step. A cancelled job
// is simply dropped (the worker is stopped): the main thread's mask was never touched. Pure functions;
// where no Worker exists (Node tests) the same code runs in the calling thread.
import {
  interpolateBetween, keepComponent, removeComponent, type PlaneStrides, type Progress, type VolumeChange,
} from './volumeEdit';

export type VolumeJob =
  | { type: 'fill'; vol: Uint8Array; g: PlaneStrides; a: number; b: number; sx: number; sy: number }
  | { type: 'keep' | 'remove'; vol: Uint8Array; dims: [number, number, number]; seed: number };

/** Messages from the worker: progress now and then, then the change (or why it failed). */
export type VolumeJobReply =
  | { id: number; kind: 'progress'; fraction: number }
  | { id: number; kind: 'done'; change: VolumeChange; vol: Uint8Array }
  | { id: number; kind: 'failed'; message: string };

/**
 * Runs a job on its own copy of the volume (edited in place); returns the change and the buffers to hand
 * back (the change's and the edited copy's, so the caller can take the whole copy with one memcpy).
 */
export function runVolumeJob(job: VolumeJob, progress?: Progress): { change: VolumeChange; transfer: ArrayBuffer[] } {
  let change: VolumeChange;
  if (job.type === 'fill') {
    const { g } = job;
    const last = (g.slices - 1) * g.sn + (g.height - 1) * g.sv + (g.width - 1) * g.su;
    if (last >= job.vol.length) throw new Error(`the plane reaches voxel ${last}; the volume has ${job.vol.length}`);
    change = interpolateBetween(job.vol, g, job.a, job.b, job.sx, job.sy, progress);
  } else {
    const [nx, ny, nz] = job.dims;
    if (job.vol.length !== nx * ny * nz) throw new Error(`the volume has ${job.vol.length} voxels, not ${nx} x ${ny} x ${nz}`);
    change = (job.type === 'keep' ? keepComponent : removeComponent)(job.vol, job.dims, job.seed, progress);
  }
  progress?.(1);
  return { change, transfer: [change.indices.buffer, change.before.buffer, change.after.buffer, job.vol.buffer] as ArrayBuffer[] };
}

/** Applies a change computed on a copy to the volume it was copied from; false when they disagree. */
export function applyChange(vol: Uint8Array, c: VolumeChange): boolean {
  for (let i = 0; i < c.indices.length; i++) {
    const k = c.indices[i];
    if (vol[k] !== c.before[i]) {
      for (let j = 0; j < i; j++) vol[c.indices[j]] = c.before[j]; // put back what was applied
      return false;
    }
    vol[k] = c.after[i];
  }
  return true;
}
