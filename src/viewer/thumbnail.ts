// Small JPEG data URL of a scan frame for lists and galleries (browser only: uses a canvas).
// The frame is first sampled down to at most twice the thumbnail size (every k-th pixel), then
// windowed and drawn smoothed: the work is bounded by the thumbnail, not the scan, so an 8192 x 8192
// image does not window and paint 64 Mpx on the main thread while it is being saved.
import { windowLevelToRGBA } from '../scan';
import type { PixelArray, Scan, WindowLevel } from '../scan/types';

/** Frame `f` of `scan` sampled every `step` pixels in x and y, as a one-frame scan. */
function sampled(scan: Scan, f: number, step: number): Scan {
  const w = Math.ceil(scan.width / step);
  const h = Math.ceil(scan.height / step);
  const c = scan.channels;
  const plane = scan.width * scan.height * c;
  const data = new (scan.data.constructor as new (n: number) => PixelArray)(w * h * c);
  for (let y = 0; y < h; y++) {
    const row = f * plane + y * step * scan.width * c;
    for (let x = 0; x < w; x++) {
      const from = row + x * step * c;
      const to = (y * w + x) * c;
      for (let k = 0; k < c; k++) data[to + k] = scan.data[from + k];
    }
  }
  return { ...scan, width: w, height: h, frames: 1, shape: c > 1 ? [h, w, c] : [h, w], data };
}

export function thumbnailOf(scan: Scan, size = 96, frame = 0, window: WindowLevel = scan.window): string | null {
  const f = Math.min(Math.max(0, frame), scan.frames - 1);
  const step = Math.max(1, Math.floor(Math.max(scan.width, scan.height) / (2 * size)));
  const src = step > 1 ? sampled(scan, f, step) : scan;
  const sf = step > 1 ? 0 : f;
  const full = document.createElement('canvas');
  full.width = src.width;
  full.height = src.height;
  const fctx = full.getContext('2d');
  if (!fctx) return null;
  const rgba = windowLevelToRGBA(src, sf, window);
  fctx.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, src.width, src.height), 0, 0);
  const k = Math.min(1, size / Math.max(scan.width, scan.height));
  const thumb = document.createElement('canvas');
  thumb.width = Math.max(1, Math.round(scan.width * k));
  thumb.height = Math.max(1, Math.round(scan.height * k));
  const tctx = thumb.getContext('2d');
  if (!tctx) return null;
  tctx.imageSmoothingQuality = 'high';
  tctx.drawImage(full, 0, 0, thumb.width, thumb.height);
  return thumb.toDataURL('image/jpeg', 0.85);
}
