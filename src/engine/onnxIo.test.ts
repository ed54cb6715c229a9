// onnxGraphIo reads graph inputs/outputs from ONNX bytes: the same as the Python toolchain's graph_io wrote
// into the shipped manifest, for each of its graphs; garbage is refused in words.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { onnxGraphIo, OnnxFormatError } from './onnxIo';
import type { Manifest } from './manifest';

const dir = 'models/compact-vlsm';
const manifest = JSON.parse(readFileSync(`${dir}/manifest.json`, 'utf8')) as Manifest;

describe('onnxGraphIo', () => {
  it('matches the I/O the toolchain (onnx, Python) wrote for every shipped graph', () => {
    const graphs = Object.values(manifest.variants[0].graphs);
    expect(graphs.length).toBe(3);
    for (const g of graphs) {
      const io = onnxGraphIo(new Uint8Array(readFileSync(`${dir}/${g.file}`)));
      expect(io).toEqual({ inputs: g.inputs, outputs: g.outputs });
    }
  });

  it('refuses what is not an ONNX model', () => {
    expect(() => onnxGraphIo(new TextEncoder().encode('{"not": "onnx"}'))).toThrow(OnnxFormatError);
    expect(() => onnxGraphIo(new Uint8Array(0))).toThrow(/not an ONNX model/);
    const real = new Uint8Array(readFileSync(`${dir}/${manifest.variants[0].graphs.text?.file}`));
    expect(() => onnxGraphIo(real.subarray(0, 1000))).toThrow(/truncated|not an ONNX model/);
  });
});
