// Manifest validation: the shipped bundle passes; schema and cross-field errors are readable.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { BundleError, chooseVariant, parseManifest, variantFiles } from './manifest';

const text = readFileSync('models/compact-vlsm/manifest.json', 'utf8');
const mutate = (f: (m: Record<string, any>) => void) => {
  const m = JSON.parse(text) as Record<string, any>;
  f(m);
  return JSON.stringify(m);
};

describe('parseManifest', () => {
  it('accepts the shipped default bundle and picks variants per backend', () => {
    const m = parseManifest(text);
    expect(m.id).toBe('compact-vlsm');
    const wasm = chooseVariant(m, { backend: 'wasm' });
    expect(wasm.backends).toContain('wasm');
    const gpu16 = chooseVariant(m, { backend: 'webgpu', shaderF16: true });
    expect(gpu16.backends).toContain('webgpu');
    const files = variantFiles(m, wasm).map((f) => f.path);
    expect(files[0]).toBe('tokenizer.json');
    expect(files).toHaveLength(4);
    expect(() => chooseVariant(m, { backend: 'wasm', name: 'nope' })).toThrow(/has no variant 'nope'/);
  });

  it('explains schema and cross-field problems', () => {
    expect(() => parseManifest('{')).toThrow(/not valid JSON/);
    expect(() => parseManifest(mutate((m) => (m.format = 'other')))).toThrow(BundleError);
    expect(() => parseManifest(mutate((m) => delete m.input))).toThrow(/schema.*input/);
    expect(() => parseManifest(mutate((m) => (m.files = m.files.slice(1))))).toThrow(/tokenizer 'tokenizer.json' is not in files/);
    expect(() => parseManifest(mutate((m) => delete m.variants[0].graphs.decoder))).toThrow(/lacks the decoder graph/);
    expect(() => parseManifest(mutate((m) => (m.variants[0].graphs.decoder.inputs[0].name = 'ghost')))).toThrow(/decoder input 'ghost' is not a vision or text output/);
    expect(() => parseManifest(mutate((m) => (m.variants[0].graphs.model = m.variants[0].graphs.text)))).toThrow(/model graph\(s\) a split bundle does not use/);
    expect(() => parseManifest(mutate((m) => delete m.text))).toThrow(/schema.*text/);
    expect(() => parseManifest(mutate((m) => (m.output.channels = [{ name: 'polyp', words: ['polyp'] }])))).toThrow(/only image-only bundles list output channels/);
  });

  it('checks image-only bundles: no text block, channels listed and matching the logits', () => {
    const imageOnly = (f: (m: Record<string, any>) => void = () => {}) =>
      mutate((m) => {
        m.kind = 'image-only';
        delete m.text;
        const v = m.variants[0];
        v.graphs = { vision: { ...v.graphs.vision, outputs: [{ name: 'logits', dtype: 'float32', shape: [1, 2, 256, 256] }] } };
        m.variants = [v];
        m.output.channels = [{ name: 'polyp', words: ['polyp'] }, { name: 'left lung', words: ['left lung'] }];
        m.files = m.files.filter((x: { path: string }) => x.path === v.graphs.vision.file);
        f(m);
      });
    const m = parseManifest(imageOnly());
    expect(variantFiles(m, m.variants[0]).map((x) => x.path)).toEqual(['vision.fp32.onnx']);
    expect(() => parseManifest(imageOnly((x) => delete x.output.channels))).toThrow(/schema.*channels/);
    expect(() => parseManifest(imageOnly((x) => (x.text = { tokenizer: 'tokenizer.json', maxLength: 77, padding: 'none' })))).toThrow(/image-only bundle has no text block/);
    expect(() => parseManifest(imageOnly((x) => x.output.channels.pop()))).toThrow(/does not have the 1 channels the manifest lists/);
    expect(() => parseManifest(imageOnly((x) => (x.output.channels[1].name = 'polyp')))).toThrow(/output channel 'polyp' appears twice/);
    expect(() => parseManifest(imageOnly((x) => (x.variants[0].graphs.text = x.variants[0].graphs.vision)))).toThrow(/text graph\(s\) a image-only bundle does not use/);
    expect(() => parseManifest(imageOnly((x) => (x.output.channels[0].words = ['Polyp'])))).toThrow(/schema/);
  });

  it('asks a fixed-length text graph (word-level features, as CRIS) for prompts padded to that length', () => {
    const fixed = (m: Record<string, any>) => {
      for (const v of m.variants) v.graphs.text.inputs = [{ name: 'input_ids', dtype: 'int64', shape: [1, 17] }];
    };
    expect(() => parseManifest(mutate(fixed))).toThrow(/text graph takes exactly 17 token ids, so text needs padding 'max_length' and maxLength 17 \(it has padding 'none', maxLength 77\)/);
    const padded = parseManifest(mutate((m) => (fixed(m), Object.assign(m.text, { padding: 'max_length', padTokenId: 0, maxLength: 17 }))));
    expect(padded.text?.maxLength).toBe(17);
  });
});
