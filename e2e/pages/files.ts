// Test inputs: real files read from ../shared/data at run time (never copied into the repo) and broken
// files made on the fly.
import { readFileSync, readdirSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FilePayload } from './Workbench';

export const SHARED = fileURLToPath(new URL('../../../shared/data', import.meta.url));

export function kvasirJpeg(): FilePayload {
  const dir = join(SHARED, 'kvasir-seg/images');
  const name = readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort()[0];
  return { name, mimeType: 'image/jpeg', buffer: readFileSync(join(dir, name)) };
}

/** emri_small.dcm: MR, 10 frames of 64x64 uint16, Explicit VR Little Endian (see MANIFEST.csv). */
export const MULTIFRAME_DICOM = { path: 'sample-files/dicom/pydicom-data/emri_small.dcm', frames: 10, width: 64, height: 64 };

export function multiFrameDicom(): FilePayload {
  return { name: 'emri_small.dcm', mimeType: 'application/dicom', buffer: readFileSync(join(SHARED, MULTIFRAME_DICOM.path)) };
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td) >>> 0);
  return Buffer.concat([len, td, crc]);
}

/** A well-formed PNG header that declares 100000 x 100000 pixels (no image data). */
export function hugePng(): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(100_000, 0);
  ihdr.writeUInt32BE(100_000, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), pngChunk('IHDR', ihdr), pngChunk('IEND', Buffer.alloc(0))]);
}

/** Broken inputs, each with a file name that appears in its error message. */
export function brokenFiles(): FilePayload[] {
  const jpeg = kvasirJpeg().buffer;
  const dicomHeader = Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), Buffer.from([0x02, 0x00, 0x10, 0x00, 0x55, 0x49, 0xff, 0x7f])]);
  const noise = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251));
  return [
    { name: 'empty.png', mimeType: 'image/png', buffer: Buffer.alloc(0) },
    { name: 'truncated.jpg', mimeType: 'image/jpeg', buffer: jpeg.subarray(0, 600) },
    { name: 'noise.dcm', mimeType: 'application/dicom', buffer: noise },
    { name: 'bad-header.dcm', mimeType: 'application/dicom', buffer: dicomHeader },
    { name: 'huge.png', mimeType: 'image/png', buffer: hugePng() },
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('this is not an image\n'.repeat(20)) },
  ];
}
