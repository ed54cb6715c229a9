// JPEG file reader: greyscale or RGB (CMYK converted), size checked from the frame header before decoding.
import { finishScan } from '../build';
import { decodeJpeg } from '../codecs/jpeg';
import type { Limits } from '../limits';
import type { Scan } from '../types';

export async function readJpeg(name: string, b: Uint8Array, limits: Limits): Promise<Scan> {
  const j = await decodeJpeg(b, limits);
  const channels = j.components === 1 ? 1 : 3;
  return finishScan({
    name,
    format: 'jpeg',
    width: j.width,
    height: j.height,
    frames: 1,
    shape: channels === 1 ? [j.width, j.height] : [j.width, j.height, 3],
    channels,
    data: j.data,
    metadata: { bitDepth: j.info.precision, jpegProcess: j.info.sof.toString(16), colorMode: channels === 1 ? 'L' : 'RGB' },
  });
}
