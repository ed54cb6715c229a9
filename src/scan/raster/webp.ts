// WebP reader: the size comes from the RIFF header (checked before decoding); pixels come from the
// browser's own decoder (createImageBitmap + OffscreenCanvas). Where those do not exist (Node) the
// reader says so clearly instead of guessing.
import { finishScan } from '../build';
import { checkDims, type Limits } from '../limits';
import { ScanReadError, type Scan } from '../types';
import { alphaOpaque, dropChannels } from './bits';

export function webpSize(b: Uint8Array): { width: number; height: number } {
  if (b.length < 30) throw new ScanReadError('The WebP file is truncated: its header is incomplete.', 'truncated');
  const riffSize = (b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24)) >>> 0;
  if (riffSize + 8 > b.length) throw new ScanReadError('The WebP file is truncated: it is shorter than its RIFF header says.', 'truncated');
  const chunk = String.fromCharCode(b[12], b[13], b[14], b[15]);
  if (chunk === 'VP8X') return { width: 1 + (b[24] | (b[25] << 8) | (b[26] << 16)), height: 1 + (b[27] | (b[28] << 8) | (b[29] << 16)) };
  if (chunk === 'VP8L') {
    const v = (b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24)) >>> 0;
    return { width: 1 + (v & 0x3fff), height: 1 + ((v >>> 14) & 0x3fff) };
  }
  if (chunk === 'VP8 ') return { width: (b[26] | (b[27] << 8)) & 0x3fff, height: (b[28] | (b[29] << 8)) & 0x3fff };
  throw new ScanReadError(`The WebP file is corrupt (unknown chunk "${chunk}").`, 'corrupt');
}

export async function readWebp(name: string, b: Uint8Array, limits: Limits): Promise<Scan> {
  const { width, height } = webpSize(b);
  checkDims('WebP', width, height, 1, 4, limits);
  if (typeof createImageBitmap !== 'function' || typeof OffscreenCanvas !== 'function') {
    throw new ScanReadError('WebP images can only be decoded in the browser here (no WebP decoder in this environment); convert it to PNG.', 'unsupported');
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([b.slice().buffer], { type: 'image/webp' }), { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  } catch {
    throw new ScanReadError('The WebP file is corrupt: the browser could not decode it.', 'corrupt');
  }
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new ScanReadError('WebP decoding needs a 2-D canvas, which is not available here.', 'unsupported');
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = new Uint8Array(ctx.getImageData(0, 0, canvas.width, canvas.height).data.buffer);
  const opaque = alphaOpaque(rgba, 255);
  const data = opaque ? dropChannels(rgba, 4, 3, (n) => new Uint8Array(n)) : rgba;
  const channels = opaque ? 3 : 4;
  return finishScan({ name, format: 'webp', width: canvas.width, height: canvas.height, frames: 1, shape: [canvas.width, canvas.height, channels], channels, data, metadata: { colorMode: opaque ? 'RGB' : 'RGBA' } });
}
