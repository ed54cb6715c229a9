// Model logits -> probabilities at the scan's size: crop the letterbox box (scaled to the output grid),
// bilinear-resize the logits (torch align_corners=False), then the manifest's activation. Thresholding
// is a separate cheap step so the UI can move the threshold without re-running anything.
import type { InputBox } from './preprocess';
import { resizeBilinearFloat } from './resize';

export function sigmoidInPlace(a: Float32Array): Float32Array {
  for (let i = 0; i < a.length; i++) a[i] = 1 / (1 + Math.exp(-a[i]));
  return a;
}

export interface PostprocessInput {
  logits: Float32Array;
  outWidth: number;
  outHeight: number;
  /** Model input size [H, W] the box refers to. */
  inputSize: [number, number];
  box: InputBox;
  scanWidth: number;
  scanHeight: number;
  activation: 'sigmoid' | 'none';
}

export function cropPlane(src: Float32Array, width: number, x: number, y: number, w: number, h: number): Float32Array {
  const out = new Float32Array(w * h);
  for (let r = 0; r < h; r++) out.set(src.subarray((y + r) * width + x, (y + r) * width + x + w), r * w);
  return out;
}

export function postprocess(p: PostprocessInput): Float32Array {
  const [H, W] = p.inputSize;
  let plane = p.logits;
  let w = p.outWidth;
  let h = p.outHeight;
  const full = p.box.x === 0 && p.box.y === 0 && p.box.width === W && p.box.height === H;
  if (!full) {
    const sx = p.outWidth / W;
    const sy = p.outHeight / H;
    const x = Math.round(p.box.x * sx);
    const y = Math.round(p.box.y * sy);
    w = Math.max(1, Math.round(p.box.width * sx));
    h = Math.max(1, Math.round(p.box.height * sy));
    plane = cropPlane(p.logits, p.outWidth, x, y, w, h);
  }
  const resized = resizeBilinearFloat(plane, w, h, p.scanWidth, p.scanHeight);
  return p.activation === 'sigmoid' ? sigmoidInPlace(resized) : resized;
}

/** Binary mask (0/1) from probabilities. */
export function threshold(prob: Float32Array, t: number): Uint8Array {
  const out = new Uint8Array(prob.length);
  for (let i = 0; i < prob.length; i++) out[i] = prob[i] >= t ? 1 : 0;
  return out;
}

/** Dice coefficient of two binary masks (1 when both are empty). */
export function dice(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < a.length; i++) {
    inter += a[i] & b[i];
    sa += a[i];
    sb += b[i];
  }
  return sa + sb === 0 ? 1 : (2 * inter) / (sa + sb);
}
