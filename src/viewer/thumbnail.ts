// Small JPEG data URL of a scan frame for lists and galleries (browser only: uses a canvas).
import { windowLevelToRGBA } from '../scan';
import type { Scan, WindowLevel } from '../scan/types';

export function thumbnailOf(scan: Scan, size = 96, frame = 0, window: WindowLevel = scan.window): string | null {
  const full = document.createElement('canvas');
  full.width = scan.width;
  full.height = scan.height;
  const fctx = full.getContext('2d');
  const f = Math.min(Math.max(0, frame), scan.frames - 1);
  if (!fctx) return null;
  const rgba = windowLevelToRGBA(scan, f, window);
  fctx.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, scan.width, scan.height), 0, 0);
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
