// Why the engine keeps int8 graphs on the WASM execution provider when the backend is WebGPU
// (wasmOnlyGraphs in src/worker/backend.ts): onnxruntime-web's WebGPU EP computes the shipped model's int8
// text graph (DynamicQuantizeLinear + MatMulInteger) wrongly. Re-checked on each onnxruntime-web upgrade
// (1.30.0, 1.31.1; SwiftShader here): text embeddings off by ~16 on a scale of ~17.6. The shipped fp32
// vision graph is the control: the same comparison agrees on it. If this test fails because the two EPs
// now agree on the int8 graph, the workaround can go.
import { expect, test, type Page } from '@playwright/test';

const HARNESS = '/src/worker/harness/engine.html';
const PROMPTS = [
  [49406, 320, 1125, 539, 320, 2368, 49407], // a photo of a cat
  [49406, 637, 2442, 3360, 2522, 6833, 335, 267, 5677, 530, 1155, 539, 518, 2867, 49407], // one small pink round polyp, …
  [49406, 6833, 335, 49407], // polyp
];

type Feeds = Record<string, { type: 'int64' | 'float32'; dims: number[]; data: number[] }>;
interface GraphSpec {
  file: string;
  precision: string;
  inputs: { name: string; shape: (number | string)[] }[];
}

/** Largest |WebGPU - WASM| over the first output, and the largest |WASM| value, over the given feeds. */
async function compare(page: Page, url: string, feeds: Feeds[]) {
  const [cpu, gpu] = await page.evaluate(
    async ([u, x]) => [await window.__vlsmEngine.runGraph(u, 'wasm', x), await window.__vlsmEngine.runGraph(u, 'webgpu', x)],
    [url, feeds] as const,
  );
  let diff = 0;
  let scale = 0;
  cpu.forEach((out, k) => {
    expect(gpu[k]).toHaveLength(out.length);
    out.forEach((v, i) => {
      diff = Math.max(diff, Math.abs(v - gpu[k][i]));
      scale = Math.max(scale, Math.abs(v));
    });
  });
  return { diff, scale };
}

test('int8 text graph is still wrong on the WebGPU EP (so it stays on WASM); the fp32 vision graph agrees', async ({ page }) => {
  test.setTimeout(360_000); // SwiftShader on a loaded 2-core machine: 3.2 min measured at load 28
  await page.goto(HARNESS);
  await expect(page.getByTestId('harness-status')).toHaveText('ready');
  expect(await page.evaluate(() => 'gpu' in navigator), 'navigator.gpu (launch flag --enable-unsafe-webgpu)').toBe(true);
  const manifest = (await (await page.request.get('/models/compact-vlsm/manifest.json')).json()) as { variants: { graphs: Record<string, GraphSpec> }[] };
  const { text, vision } = manifest.variants[0].graphs;
  expect([text.precision, vision.precision]).toEqual(['int8', 'fp32']);

  const ids = PROMPTS.map((t) => ({
    input_ids: { type: 'int64' as const, dims: [1, t.length], data: t },
    attention_mask: { type: 'int64' as const, dims: [1, t.length], data: t.map(() => 1) },
  }));
  const int8 = await compare(page, `/models/compact-vlsm/${text.file}`, ids);
  const dims = vision.inputs[0].shape.map(Number);
  const n = dims.reduce((a, b) => a * b, 1);
  const pixels = { [vision.inputs[0].name]: { type: 'float32' as const, dims, data: Array.from({ length: n }, (_, i) => Math.sin(i * 0.001) * 1.5) } };
  const fp32 = await compare(page, `/models/compact-vlsm/${vision.file}`, [pixels]);
  console.info(
    `[webgpu-int8] ${text.file}: max |WebGPU - WASM| = ${int8.diff.toFixed(3)} (scale ${int8.scale.toFixed(3)}); ` +
      `${vision.file}: ${fp32.diff.toExponential(2)} (scale ${fp32.scale.toFixed(3)})`,
  );
  expect(fp32.scale).toBeGreaterThan(0.1);
  expect(fp32.diff, 'control: the fp32 graph agrees across EPs').toBeLessThan(1e-2 * fp32.scale);
  expect(int8.scale).toBeGreaterThan(1);
  expect(int8.diff, 'the WebGPU EP now matches WASM on the int8 graph: the int8-on-WASM workaround (backend.ts) can go').toBeGreaterThan(0.1 * int8.scale);
});
