// Property-based fuzzing (fast-check) of the DICOM, NIfTI, TIFF, DICOM RLE and COCO parsers. Inputs are
// generated from each format's real structure (a builder's valid file with arbitrary header fields, then
// arbitrary byte edits and truncations), so the generator reaches deep into each parser rather than
// stopping at the magic bytes. Property: every case resolves or fails with the reader's own error
// (ScanReadError / MaskReadError), never anything else, and no case takes over 1 s (a hang guard; speed is
// measured by benchmarks, not here). `npm test` runs 10,000 seeded cases per parser (about 30 s in all);
// `npm run fuzz` runs the same count with a fresh random seed each time (printed; FUZZ_SEED replays it,
// FUZZ_RUNS changes the count).
import fc from 'fast-check';
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readScan } from './readScan';
import { ScanReadError } from './types';
import { decodeRle } from './dicom/rle';
import { cocoCountsToString } from '../mask/rle';
import { MaskReadError, readMaskFile, type MaskTarget } from './writers/maskImport';
import { dicomImage, niftiFile, tiffFile, type DicomElement } from './testing/builders';

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const SEED = process.env.FUZZ_SEED === 'random' ? Math.floor(Math.random() * 2 ** 31) : process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20261204;
const CASE_MS = 1000;
const opts = { numRuns: RUNS, seed: SEED, endOnFailure: true } as const;

/** Byte edits: (offset fraction, value) pairs, and an optional truncation fraction. */
const edits = fc.record({
  writes: fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }),
  cut: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
});
type Edits = { writes: [number, number][]; cut?: number };

function apply(b: Uint8Array, e: Edits): Uint8Array {
  const out = b.slice();
  for (const [at, v] of e.writes) out[Math.min(out.length - 1, Math.floor(at * out.length))] = v;
  return e.cut === undefined ? out : out.subarray(0, Math.floor(e.cut * out.length));
}

/** Runs one case: the reader's own error is fine, anything else (or > 1 s) fails with the input described. */
async function expectClean(what: string, run: () => unknown, own: (e: unknown) => boolean = (e) => e instanceof ScanReadError): Promise<void> {
  const t0 = performance.now();
  try {
    await run();
  } catch (e) {
    if (!own(e)) throw new Error(`${what}: uncaught ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  const ms = performance.now() - t0;
  if (ms > CASE_MS) throw new Error(`${what}: took ${ms.toFixed(0)} ms`);
}

const small = fc.integer({ min: 0, max: 70 });
const us = fc.oneof(fc.integer({ min: 0, max: 65535 }), fc.constantFrom(0, 1, 2, 3, 4, 7, 8, 12, 15, 16, 31, 32, 40, 64, 65535));

describe(`property fuzzing, ${RUNS} cases per parser (seed ${SEED})`, () => {
  it('DICOM: arbitrary pixel-format attributes and byte edits', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ rows: small, cols: small, frames: fc.integer({ min: 0, max: 4 }), bits: fc.constantFrom(8 as const, 16 as const), spp: fc.constantFrom(1, 3, 4, 0, 2), photometric: fc.constantFrom('MONOCHROME2', 'MONOCHROME1', 'RGB', 'YBR_FULL', 'YBR_FULL_422', 'PALETTE COLOR', 'XYZ') }),
        fc.record({ bitsStored: us, highBit: us, pixelRep: us, slope: fc.constantFrom('1', '0', '-1', '1e308', 'NaN', 'abc', '2.5'), center: fc.constantFrom('40', 'Infinity', '-Infinity', 'NaN', '1e400', ''), width: fc.constantFrom('400', '0', '-5', 'Infinity', '') }),
        fc.option(fc.constantFrom('1.2.840.10008.1.2.5', '1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.2'), { nil: undefined }),
        edits,
        async (f, h, syntax, e) => {
          const extra: DicomElement[] = [
            { tag: 0x00280101, vr: 'US', value: h.bitsStored },
            { tag: 0x00280102, vr: 'US', value: h.highBit },
            { tag: 0x00280103, vr: 'US', value: h.pixelRep },
            { tag: 0x00281053, vr: 'DS', value: h.slope },
            { tag: 0x00281050, vr: 'DS', value: h.center },
            { tag: 0x00281051, vr: 'DS', value: h.width },
            ...(syntax ? [{ tag: 0x00020010, vr: 'UI', value: syntax }] : []),
          ];
          const bytes = apply(dicomImage({ ...f, extra }), e);
          await expectClean(`DICOM ${JSON.stringify({ f, h, syntax })}`, () => readScan({ name: 'f.dcm', bytes }));
        },
      ),
      opts,
    );
  });

  it('NIfTI: arbitrary header fields (dims, datatype, offset, scaling, calibration) and byte edits, raw and gzipped', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          dims: fc.array(fc.oneof(fc.integer({ min: -2, max: 40 }), fc.constantFrom(32767, 65535, 0)), { minLength: 1, maxLength: 7 }),
          datatype: fc.constantFrom(2, 4, 8, 16, 64, 128, 256, 512, 768, 1024, 2304, 0, 1, 32, 99),
          bitpix: fc.option(fc.constantFrom(0, 1, 8, 16, 24, 32, 64, 7), { nil: undefined }),
          voxOffset: fc.option(fc.oneof(fc.integer({ min: 0, max: 2000 }), fc.constantFrom(1e12, -1, Number.NaN, 352)), { nil: undefined }),
          little: fc.boolean(),
          sclSlope: fc.option(fc.constantFrom(0, 1, -1, 1e30, Number.NaN, Infinity), { nil: undefined }),
          sclInter: fc.option(fc.constantFrom(0, 1, Number.NaN, -Infinity), { nil: undefined }),
          pixdim: fc.option(fc.array(fc.constantFrom(1, 0, -1, Number.NaN, Infinity, 0.5), { minLength: 8, maxLength: 8 }), { nil: undefined }),
        }),
        fc.integer({ min: 0, max: 4096 }),
        fc.boolean(),
        edits,
        async (h, dataLen, gz, e) => {
          const raw = niftiFile(h, new Uint8Array(dataLen).map((_, i) => (i * 37) & 255));
          const bytes = apply(gz ? gzipSync(raw) : raw, e);
          await expectClean(`NIfTI ${JSON.stringify({ h, dataLen, gz })}`, () => readScan({ name: gz ? 'f.nii.gz' : 'f.nii', bytes }));
          const target: MaskTarget = { width: Math.abs(h.dims[1] ?? 1) || 1, height: Math.abs(h.dims[2] ?? 1) || 1, frames: 1, spacing: [1, 1, 1], spacingKnown: false };
          await expectClean(`NIfTI mask ${JSON.stringify({ h, dataLen, gz })}`, () => readMaskFile({ name: 'm.nii.gz', bytes }, target), (x) => x instanceof MaskReadError);
        },
      ),
      opts,
    );
  });

  it('TIFF: arbitrary size, bits, samples, photometric, byte order and byte edits', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ width: small, height: small, bps: fc.constantFrom(8, 16, 0, 1, 4, 12, 32, 64, 65535), spp: fc.constantFrom(1, 2, 3, 4, 0, 255), photometric: fc.integer({ min: 0, max: 12 }), little: fc.boolean(), nextIfd: fc.option(fc.constantFrom(0, 8, 4, 1 << 30), { nil: undefined }) }),
        fc.integer({ min: 0, max: 4096 }),
        edits,
        async (t, dataLen, e) => {
          const bytes = apply(tiffFile({ ...t, bps: t.bps as 8 | 16, data: new Uint8Array(dataLen).map((_, i) => i & 255) }), e);
          await expectClean(`TIFF ${JSON.stringify({ t, dataLen })}`, () => readScan({ name: 'f.tif', bytes }));
        },
      ),
      opts,
    );
  });

  it('DICOM RLE: arbitrary segment tables and PackBits streams', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 15 }),
        fc.array(fc.integer({ min: -8, max: 200 }), { maxLength: 15 }),
        fc.uint8Array({ maxLength: 600 }),
        fc.record({ pixels: fc.integer({ min: 0, max: 4096 }), spp: fc.constantFrom(1, 3), bytes: fc.constantFrom(1, 2, 4) }),
        async (segments, offs, body, f) => {
          const frame = new Uint8Array(64 + body.length);
          const dv = new DataView(frame.buffer);
          dv.setUint32(0, segments, true);
          offs.forEach((o, i) => dv.setUint32(4 + 4 * i, Math.max(0, 64 + o * 3), true));
          frame.set(body, 64);
          await expectClean(`RLE ${JSON.stringify({ segments, offs, f })}`, () => {
            const out = decodeRle(frame, f.pixels, f.spp, f.bytes);
            expect(out.length).toBe(f.pixels * f.spp * f.bytes);
          });
        },
      ),
      opts,
    );
  });

  it('COCO JSON: arbitrary documents and RLE strings, checked against the scan size', async () => {
    const cocoDoc = fc.record({
      type: fc.constantFrom('vlsm-workbench/coco-rle', 'other', 1),
      version: fc.constantFrom(1, 2, '1', null),
      images: fc.array(fc.record({ id: fc.constant(1), file_name: fc.string(), width: fc.oneof(fc.integer({ min: -1, max: 70 }), fc.constantFrom(8192, 1e9, 0.5, Number.NaN)), height: fc.oneof(fc.integer({ min: -1, max: 70 }), fc.constantFrom(8192, 1e9)) }), { maxLength: 2 }),
      categories: fc.array(fc.record({ id: fc.integer(), name: fc.string() }), { maxLength: 3 }),
      annotations: fc.array(
        fc.record({
          category_id: fc.integer({ min: 0, max: 3 }),
          segmentation: fc.record({
            size: fc.array(fc.oneof(fc.integer({ min: -1, max: 70 }), fc.constant(8192)), { minLength: 0, maxLength: 3 }),
            counts: fc.oneof(fc.string({ maxLength: 60 }), fc.array(fc.integer({ min: -5, max: 5000 }), { maxLength: 20 }).map((c) => cocoCountsToString(c))),
          }),
        }),
        { maxLength: 64 },
      ),
    });
    await fc.assert(
      fc.asyncProperty(fc.oneof(cocoDoc.map((d) => JSON.stringify(d)), fc.json(), fc.string()), fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 70 }), async (text, w, h) => {
        const target: MaskTarget = { width: w, height: h, frames: 1, spacing: [1, 1, 1], spacingKnown: false };
        await expectClean(`COCO ${text.slice(0, 200)}`, () => readMaskFile({ name: 'm.json', bytes: new TextEncoder().encode(text) }, target), (x) => x instanceof MaskReadError);
      }),
      opts,
    );
  });
});
