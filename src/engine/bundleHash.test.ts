// The bundle version recorded with results (DICOM SEG SegmentAlgorithmName model@version).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bundleHash } from './bundle';
import type { Manifest } from './manifest';

const shipped = JSON.parse(readFileSync('models/compact-vlsm/manifest.json', 'utf8')) as Manifest;

describe('bundleHash', () => {
  it('is 12 hex digits of the sha256 over the sorted "<sha256> <path>" lines of the bundle files', async () => {
    const lines = shipped.files.map((f) => `${f.sha256} ${f.path}`).sort().join('\n');
    expect(await bundleHash(shipped)).toBe(createHash('sha256').update(lines).digest('hex').slice(0, 12));
  });
  it('changes with any file, not with the wording of the manifest or the order of its files', async () => {
    const h = await bundleHash(shipped);
    expect(await bundleHash({ ...shipped, name: 'renamed', files: [...shipped.files].reverse() } as Manifest)).toBe(h);
    const files = shipped.files.map((f, i) => (i === 0 ? { ...f, sha256: f.sha256.replace(/^./, (c) => (c === '0' ? '1' : '0')) } : f));
    expect(await bundleHash({ ...shipped, files })).not.toBe(h);
  });
});
