// Mask -> PNG at the scan's original size: binary (0/255, 8-bit grey, what most tools expect) and
// label map (the label values themselves, 0..255). Encoded with fast-png.
import { encode } from 'fast-png';
import type { Mask } from '../../mask/types';

export function encodeBinaryPng(mask: Mask): Uint8Array {
  const px = new Uint8Array(mask.data.length);
  for (let i = 0; i < px.length; i++) px[i] = mask.data[i] ? 255 : 0;
  return encode({ width: mask.width, height: mask.height, data: px, channels: 1, depth: 8 });
}

/** Label map: pixel value = label (e.g. 1 for a binary mask; several masks can share one map). */
export function encodeLabelPng(labels: Mask): Uint8Array {
  return encode({ width: labels.width, height: labels.height, data: labels.data.slice(), channels: 1, depth: 8 });
}

/** Combine binary masks into one label map: mask i gets label i + 1; later masks win overlaps. */
export function labelMap(masks: readonly Mask[]): Mask {
  if (masks.length === 0) throw new Error('no masks to combine');
  const { width, height } = masks[0];
  const data = new Uint8Array(width * height);
  masks.forEach((m, k) => {
    if (m.width !== width || m.height !== height) throw new Error('masks differ in size');
    for (let i = 0; i < data.length; i++) if (m.data[i]) data[i] = Math.min(255, k + 1);
  });
  return { width, height, data };
}
