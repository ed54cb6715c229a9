// The generated bad-input corpus: every file is refused with a specific, readable ScanReadError, fast.
import { beforeAll, describe, expect, it } from 'vitest';
import { preloadCodecs } from './codecs/wasm';
import { readScan, ScanReadError } from './index';
import { badFiles } from './testing/badFiles';

const corpus = badFiles();

describe('bad-input corpus', () => {
  // Compile the WASM codecs once up front: the 2 s limit is about the decoders, not module start-up.
  beforeAll(() => preloadCodecs(), 30_000);

  it('has at least 30 files with distinct names', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(30);
    expect(new Set(corpus.map((f) => f.name)).size).toBe(corpus.length);
  });

  for (const f of corpus) {
    it(`${f.name}: ${f.why}`, { timeout: 2000 }, async () => {
      let err: unknown;
      try {
        await readScan({ name: f.name, bytes: f.bytes });
      } catch (e) {
        err = e;
      }
      expect(err, 'should throw').toBeInstanceOf(ScanReadError);
      const e = err as ScanReadError;
      expect({ code: e.code, message: e.message }).toEqual({ code: f.code, message: expect.stringMatching(f.message) });
      expect(e.message.length).toBeLessThan(300);
    });
  }
});
