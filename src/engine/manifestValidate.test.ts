// The committed ahead-of-time manifest validator matches models/schema/bundle.schema.json (regenerated
// here and compared), and it rejects what the schema rejects, e.g. a path that leaves the bundle.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { generate, OUT } from '../../scripts/gen-manifest-validator.mjs';
import validate from './manifestValidate.gen.js';

describe('manifestValidate.gen.js', () => {
  it('is up to date with the schema (run node scripts/gen-manifest-validator.mjs)', () => {
    expect(readFileSync(OUT, 'utf8')).toBe((generate as () => string)());
  });
  it('validates without run-time code generation and reports paths', () => {
    const v = validate as unknown as ((d: unknown) => boolean) & { errors?: { instancePath: string }[] };
    expect(v({ files: [{ path: '../x', bytes: 1, sha256: '0'.repeat(64) }] })).toBe(false);
    expect(v.errors?.some((e) => e.instancePath === '/files/0/path')).toBe(true);
  });
});
