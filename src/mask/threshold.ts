// Probabilities -> binary mask. Kept apart from inference so a threshold slider re-thresholds the
// stored probabilities at once, without re-running the model.
import type { Mask } from './types';
import { resizeBilinear } from './resize';

/** 1 where p >= threshold (so threshold 0 selects everything, > 1 nothing). */
export function threshold(probs: Float32Array, t: number, out?: Uint8Array): Uint8Array {
  const res = out ?? new Uint8Array(probs.length);
  for (let i = 0; i < probs.length; i++) res[i] = probs[i] >= t ? 1 : 0;
  return res;
}

/** Threshold 8-bit grey values (e.g. a JPEG reference mask) at `cut` (default 128). */
export function thresholdBytes(values: ArrayLike<number>, cut = 128): Uint8Array {
  const res = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) res[i] = values[i] >= cut ? 1 : 0;
  return res;
}

/** Model output (pw x ph probabilities) at the scan's size. */
export function probabilitiesAt(probs: Float32Array, pw: number, ph: number, width: number, height: number): Float32Array {
  if (probs.length !== pw * ph) throw new Error(`probabilities have ${probs.length} values, expected ${pw * ph}`);
  return resizeBilinear(probs, pw, ph, width, height);
}

export function maskFromProbabilities(probs: Float32Array, width: number, height: number, t: number): Mask {
  if (probs.length !== width * height) throw new Error('probabilities do not match the mask size');
  return { width, height, data: threshold(probs, t) };
}
