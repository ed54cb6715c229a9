// Whole-scan mask work that the UI hands to a Web Worker (ui/results/mask.worker.ts) so the main thread
// never runs it: scoring runs (Dice, IoU, HD95 with its two distance transforms, area, confidence) and
// turning a model result into a mask, its binary overlay and what prompt suggestions read of it. Pure functions over typed arrays; the same
// code runs in the worker and, where no Worker exists (Node tests), in the calling thread.
import type { Mask } from './types';
import { fullRect } from './types';
import { renderBinary, renderContour, type Rgb } from './render';
import { scoreRun, type ScoreInputs, type Scores } from './scores';
import { threshold } from './threshold';
import { resizeBilinear } from './resize';
import { maskAttributes, SUGGESTION_GRID, type MaskAttributes } from './attributes';
import { gridShape, type ShapeWord } from './appearance';

/** What prompt suggestions read from a mask (its attributes, and its shape when it is not empty). */
export interface MaskSuggestion {
  attributes: MaskAttributes;
  shape: ShapeWord | null;
}

/** The suggestions' reading of `mask`: the same numbers on the page or in the worker. */
export function maskSuggestion(mask: Mask): MaskSuggestion {
  const attributes = maskAttributes(mask, SUGGESTION_GRID);
  return { attributes, shape: attributes.empty ? null : gridShape(mask) };
}

/** Whether buffers can be shared between threads here (a cross-origin isolated page or its workers). */
export const canShare = (): boolean =>
  typeof SharedArrayBuffer === 'function' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;

/** A Float32Array / Uint8Array of n elements on a SharedArrayBuffer when `shared`, else on its own buffer. */
const f32 = (n: number, shared: boolean): Float32Array => (shared ? new Float32Array(new SharedArrayBuffer(n * 4)) : new Float32Array(n));
const u8 = (n: number, shared: boolean): Uint8Array => (shared ? new Uint8Array(new SharedArrayBuffer(n)) : new Uint8Array(n));

export type MaskJob =
  | { type: 'score'; items: { key: string; inputs: ScoreInputs }[] }
  | {
      type: 'prepareRun';
      /** The model's probabilities, srcWidth × srcHeight (the scan's size when those are absent). */
      probs: Float32Array;
      srcWidth?: number;
      srcHeight?: number;
      /** The scan's size: the result's. */
      width: number;
      height: number;
      threshold: number;
      rgb: Rgb;
      /** Put the probabilities and the mask on SharedArrayBuffers (the page scores and saves them without copies). */
      shared?: boolean;
    }
  | {
      /** A reference mask made ready to show: its outline (RGBA) and the mask, on shared memory when `shared`. */
      type: 'prepareReference';
      mask: Mask;
      rgb: Rgb;
      thickness: number;
      shared?: boolean;
    };

export type MaskJobResult =
  | { type: 'score'; scores: { key: string; scores: Scores }[] }
  | {
      type: 'prepareRun';
      probs: Float32Array;
      mask: Mask;
      /** The binary overlay as RGBA; empty when the worker sent it as `bitmap` instead. */
      rgba: Uint8ClampedArray<ArrayBuffer>;
      bitmap?: ImageBitmap;
      /** The mask's attributes and shape for prompt suggestions (read here, not on the page). */
      suggestion: MaskSuggestion;
    }
  | { type: 'prepareReference'; mask: Mask; rgba: Uint8ClampedArray<ArrayBuffer>; bitmap?: ImageBitmap };

/** Runs one job; `transfer` lists the buffers a worker can hand back without copying. */
export function runMaskJob(job: MaskJob): { result: MaskJobResult; transfer: ArrayBuffer[] } {
  switch (job.type) {
    case 'score':
      return {
        result: {
          type: 'score',
          scores: job.items.map(({ key, inputs }) => ({ key, scores: scoreRun(inputs) })),
        },
        transfer: [],
      };
    case 'prepareRun': {
      // the probabilities resized to the scan (bilinear), thresholded, and the binary overlay: all here,
      // so a 64 Mpx result costs the page no pass over its pixels
      const sw = job.srcWidth ?? job.width;
      const sh = job.srcHeight ?? job.height;
      if (job.probs.length !== sw * sh) throw new Error('probabilities do not match the mask size');
      const n = job.width * job.height;
      const shared = job.shared === true && canShare();
      const resized = sw === job.width && sh === job.height ? job.probs : resizeBilinear(job.probs, sw, sh, job.width, job.height);
      let probs = resized;
      if (shared) {
        probs = f32(n, true);
        probs.set(resized);
      }
      const mask: Mask = { width: job.width, height: job.height, data: threshold(probs, job.threshold, u8(n, shared)) };
      const rgba = renderBinary(mask, fullRect(mask), job.rgb);
      // what the prompt suggestions read of the new mask (a pass over a 64 Mpx mask is 70 ms on the page)
      const suggestion = maskSuggestion(mask);
      const transfer = [rgba.buffer];
      if (!shared) transfer.push(probs.buffer as ArrayBuffer, mask.data.buffer as ArrayBuffer);
      return { result: { type: 'prepareRun', probs, mask, rgba, suggestion }, transfer: [...new Set(transfer)] };
    }
    case 'prepareReference': {
      const { width, height } = job.mask;
      const shared = job.shared === true && canShare();
      const mask: Mask = shared ? { width, height, data: u8(width * height, true) } : job.mask;
      if (shared) mask.data.set(job.mask.data);
      const rgba = renderContour(mask, fullRect(mask), job.rgb, job.thickness);
      const transfer = [rgba.buffer];
      if (!shared) transfer.push(mask.data.buffer as ArrayBuffer);
      return { result: { type: 'prepareReference', mask, rgba }, transfer };
    }
  }
}
