// Scores of one prompt run: area, mean confidence, agreement with a reference (Dice, IoU, HD95 in mm
// when the spacing is known, else in pixels) and influence (Dice against the empty prompt's mask).
import type { Mask } from './types';
import { area, dice, hausdorff95, iou, meanConfidence } from './metrics';

export interface ScoreInputs {
  mask: Mask;
  probs: Float32Array;
  reference?: Mask | null;
  /** Mask of the empty prompt on the same scan; omitted for the empty prompt itself. */
  emptyPromptMask?: Mask | null;
  /** [column, row] spacing in mm and whether it is real. */
  spacing: readonly [number, number];
  spacingKnown: boolean;
}

export type Scores = Record<string, number | null>;

export function scoreRun(i: ScoreInputs): Scores {
  const a = area(i.mask, i.spacing);
  const s: Scores = {
    areaPx: a.pixels,
    areaFraction: a.fraction,
    areaMm2: i.spacingKnown ? a.mm2 : null,
    meanConfidence: meanConfidence(i.probs, i.mask),
  };
  const ref = i.reference;
  if (ref && ref.width === i.mask.width && ref.height === i.mask.height) {
    s.dice = dice(i.mask, ref);
    s.iou = iou(i.mask, ref);
    const hd = hausdorff95(i.mask, ref, i.spacingKnown ? i.spacing : [1, 1]);
    s[i.spacingKnown ? 'hd95Mm' : 'hd95Px'] = hd;
  }
  if (i.emptyPromptMask && i.emptyPromptMask.width === i.mask.width) s.influence = dice(i.mask, i.emptyPromptMask);
  return s;
}
