// Whole-scan mask work that the UI hands to a Web Worker (ui/results/mask.worker.ts) so the main thread
// never runs it: scoring runs (Dice, IoU, HD95 with its two distance transforms, area, confidence) and
// turning a model result into a mask and its binary overlay. Pure functions over typed arrays; the same
// code runs in the worker and, where no Worker exists (Node tests), in the calling thread.
import type { Mask } from './types';
import { fullRect } from './types';
import { renderBinary, type Rgb } from './render';
import { scoreRun, type ScoreInputs, type Scores } from './scores';
import { threshold } from './threshold';

export type MaskJob =
  | { type: 'score'; items: { key: string; inputs: ScoreInputs }[] }
  | { type: 'prepareRun'; probs: Float32Array; width: number; height: number; threshold: number; rgb: Rgb };

export type MaskJobResult =
  | { type: 'score'; scores: { key: string; scores: Scores }[] }
  | { type: 'prepareRun'; mask: Mask; rgba: Uint8ClampedArray<ArrayBuffer> };

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
      if (job.probs.length !== job.width * job.height)
        throw new Error('probabilities do not match the mask size');
      const mask: Mask = { width: job.width, height: job.height, data: threshold(job.probs, job.threshold) };
      const rgba = renderBinary(mask, fullRect(mask), job.rgb);
      return {
        result: { type: 'prepareRun', mask, rgba },
        transfer: [mask.data.buffer as ArrayBuffer, rgba.buffer],
      };
    }
  }
}
