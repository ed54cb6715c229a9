// Placeholder for 12-bit DCT JPEG (DICOM JPEG Extended, process 4).
import { ScanReadError } from '../types';
import type { JpegInfo } from './jpegInfo';

export function decodeJpeg12(_b: Uint8Array, _info: JpegInfo): Uint16Array {
  throw new ScanReadError('12-bit JPEG (JPEG Extended, process 4) is not supported yet; convert the file to JPEG lossless or uncompressed.', 'unsupported');
}
