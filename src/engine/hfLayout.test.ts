// The transformers.js layout as a bundle: hub names and addresses, the manifest made from config.json and
// preprocessor_config.json, refusals in words.
import { describe, expect, it } from 'vitest';
import { bundleIdFor, checkHfGraph, hfInput, hfManifest, hubFileUrl, hubOrigins, parseHubRepo } from './hfLayout';

const t = (name: string, dtype: 'float32' | 'int64', shape: (number | string)[]) => ({ name, dtype, shape });
const graph = {
  inputs: [t('input_ids', 'int64', ['batch_size', 'sequence_length']), t('pixel_values', 'float32', ['batch_size', 3, 352, 352]), t('attention_mask', 'int64', ['batch_size', 'sequence_length'])],
  outputs: [t('logits', 'float32', ['batch_size', 352, 352]), t('conditional_embeddings', 'float32', ['batch_size', 64])],
};
const sha = 'a'.repeat(64);

describe('hub names', () => {
  it('reads owner/name and hub addresses, with the host and revision they name', () => {
    expect(parseHubRepo('Xenova/clipseg-rd64-refined')).toEqual({ host: 'https://huggingface.co', repo: 'Xenova/clipseg-rd64-refined', revision: 'main' });
    expect(parseHubRepo(' Xenova/clipseg-rd64-refined ', 'http://127.0.0.1:9000/')).toMatchObject({ host: 'http://127.0.0.1:9000' });
    expect(parseHubRepo('https://hf-mirror.example/Xenova/clipseg-rd64-refined/tree/v2')).toEqual({ host: 'https://hf-mirror.example', repo: 'Xenova/clipseg-rd64-refined', revision: 'v2' });
    const r = parseHubRepo('Xenova/clipseg-rd64-refined');
    expect(hubFileUrl(r, 'onnx/model_quantized.onnx')).toBe('https://huggingface.co/Xenova/clipseg-rd64-refined/resolve/main/onnx/model_quantized.onnx');
    expect(hubOrigins('https://huggingface.co')).toContain('https://cas-bridge.xethub.hf.co');
    expect(hubOrigins('http://127.0.0.1:9000')).toEqual(['http://127.0.0.1:9000']);
    for (const bad of ['clipseg', '../x', 'a/../b', 'ftp://x/a/b', 'https://u:p@h/a/b', 'a b/c']) expect(() => parseHubRepo(bad)).toThrow(/not a model name|not a web address|user name/);
    expect(() => parseHubRepo('a/b', 'ftp://x')).toThrow(/hub 'ftp:\/\/x' is not a web address/);
    expect(bundleIdFor('Xenova/clipseg-rd64-refined')).toBe('xenova-clipseg-rd64-refined');
    expect(bundleIdFor('..')).toBe('hf-model');
  });
});

describe('hfManifest', () => {
  const files = ['config.json', 'preprocessor_config.json', 'tokenizer.json', 'onnx/model_quantized.onnx', 'onnx/model.onnx'].map((path) => ({ path, bytes: 10, sha256: sha }));
  const config = { model_type: 'clipseg', text_config: { max_position_embeddings: 77 }, vision_config: { image_size: 352 } };
  const pp = { do_normalize: true, do_rescale: true, rescale_factor: 1 / 255, image_mean: [0.485, 0.456, 0.406], image_std: [0.229, 0.224, 0.225], size: { height: 352, width: 352 } };

  it('makes a valid single-graph bundle, one variant per graph file, int8 first', () => {
    const m = hfManifest({ label: 'Xenova/clipseg-rd64-refined', config, preprocessor: pp, source: 'https://huggingface.co/Xenova/clipseg-rd64-refined', files,
      graphs: [{ path: 'onnx/model.onnx', ...graph }, { path: 'onnx/model_quantized.onnx', ...graph }] });
    expect(m.kind).toBe('single');
    expect(m.variants.map((v) => [v.name, v.graphs.model?.file, v.graphs.model?.precision])).toEqual([
      ['wasm-int8', 'onnx/model_quantized.onnx', 'int8'],
      ['fp32', 'onnx/model.onnx', 'fp32'],
    ]);
    expect(m.input).toEqual({ size: [352, 352], mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], resize: 'stretch', colour: 'rgb', scale: 1 / 255 });
    expect(m.output.size).toEqual([352, 352]);
    expect(m.text).toMatchObject({ tokenizer: 'tokenizer.json', maxLength: 77, padding: 'none' });
  });

  it('reads the older preprocessor forms and refuses other models and graphs in words', () => {
    expect(hfInput({ size: 224, do_normalize: false }, 352)).toMatchObject({ size: [224, 224], mean: [0, 0, 0], std: [1, 1, 1] });
    expect(hfInput({ size: { shortest_edge: 224 }, do_rescale: false }, 352)).toMatchObject({ size: [224, 224], scale: 1 });
    expect(() => hfManifest({ label: 'x/y', config: { model_type: 'bert' }, preprocessor: pp, source: 's', files, graphs: [] })).toThrow(/'bert' model.*CLIPSeg/);
    expect(() => hfManifest({ label: 'x/y', config, preprocessor: pp, source: 's', files, graphs: [] })).toThrow(/no ONNX graph/);
    expect(() => checkHfGraph({ path: 'onnx/model.onnx', inputs: graph.inputs.slice(0, 1), outputs: graph.outputs })).toThrow(/no pixel_values input/);
    expect(() => checkHfGraph({ path: 'onnx/model.onnx', inputs: [...graph.inputs, t('position_ids', 'int64', [1])], outputs: graph.outputs })).toThrow(/position_ids/);
    expect(() => checkHfGraph({ path: 'onnx/model.onnx', inputs: graph.inputs, outputs: graph.outputs.slice(1) })).toThrow(/no 'logits' output/);
  });
});
