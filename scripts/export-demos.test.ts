import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDemo } from '../src/demo/index';
import { exportDemos, parseArgs } from './export-demos';

const dir = mkdtempSync(join(tmpdir(), 'demos-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('export-demos', () => {
  it('parses options and rejects unknown kinds', () => {
    expect(parseArgs(['out', '--count', '3', '--size', '64', '--kinds', 'xray,endoscopy'])).toMatchObject({ out: 'out', count: 3, size: 64, kinds: ['xray', 'endoscopy'] });
    expect(() => parseArgs(['out', '--kinds', 'mri'])).toThrow(/unknown kind/);
    expect(() => parseArgs([])).toThrow(/usage/);
  });

  it('writes image/mask PNG pairs and prompts that match makeDemo', () => {
    const n = exportDemos({ out: dir, count: 2, size: 48, seed: 5, kinds: ['endoscopy', 'xray'] });
    expect(n).toBe(4);
    expect(readdirSync(join(dir, 'xray')).sort()).toEqual(['prompts.json', 'xray-5.png', 'xray-5_mask.png', 'xray-6.png', 'xray-6_mask.png']);
    const img = decode(readFileSync(join(dir, 'endoscopy', 'endoscopy-6.png')));
    const mask = decode(readFileSync(join(dir, 'endoscopy', 'endoscopy-6_mask.png')));
    const ref = makeDemo('endoscopy', 6, 48);
    expect([img.width, img.height, img.channels]).toEqual([48, 48, 3]);
    expect(Buffer.from(img.data as Uint8Array).equals(Buffer.from(ref.scan.data as Uint8Array))).toBe(true);
    expect(Array.from(mask.data as Uint8Array)).toEqual(Array.from(ref.mask, (v) => v * 255));
    const prompts = JSON.parse(readFileSync(join(dir, 'endoscopy', 'prompts.json'), 'utf8'));
    expect(prompts['endoscopy-6.png'].prompt).toBe(ref.prompt);
  });
});
