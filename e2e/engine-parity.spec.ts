// Browser parity: onnxruntime-web in Chromium (worker, same code as the app) against the Python toolchain
// (PIL + tokenizers + onnxruntime Python, src/engine/testing/parity_reference.py) on the shipped model.
// The image is the model's input size, so the probabilities are sigmoid(logits) with no resize between.
import { expect, test } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';
import { dice as diceOf, threshold } from '../src/engine/postprocess';
import { browserParityReference, pythonSkipReason } from '../src/engine/testing/python';

test('browser logits match the Python toolchain on the shipped model', async ({ page }) => {
  test.setTimeout(180_000);
  // Built by e2e/globalSetup.ts before the tests start.
  const ref = browserParityReference();
  test.skip(!existsSync(ref.output), existsSync(ref.output) ? '' : pythonSkipReason());
  const [, variant, out, size] = ref.args;
  const [W, H] = size.split('x').map(Number);
  const meta = JSON.parse(readFileSync(`${out}/meta.json`, 'utf8')) as { prompts: string[] };
  const rgb = readFileSync(`${out}/image.u8`).toString('base64');
  await page.goto('/src/worker/harness/engine.html');
  await expect(page.getByTestId('harness-status')).toHaveText('ready');
  await page.evaluate(([v]) => window.__vlsmEngine.load({ kind: 'shipped', id: 'compact-vlsm' }, { backendPreference: 'wasm', variant: v }), [variant]);
  await page.evaluate(([b64, w, h]) => window.__vlsmEngine.encodeRgb('parity', b64 as string, w as number, h as number), [rgb, W, H] as const);
  for (const [i, prompt] of meta.prompts.entries()) {
    const buf = readFileSync(`${out}/logits_${i}.f32`);
    const logits = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    const got = await page.evaluate(([p]) => window.__vlsmEngine.probabilities('parity', p), [prompt]);
    expect(got.length).toBe(logits.length);
    const want = logits.map((l) => 1 / (1 + Math.exp(-l)));
    let maxd = 0;
    for (let k = 0; k < got.length; k++) maxd = Math.max(maxd, Math.abs(want[k] - got[k]));
    const dice = diceOf(threshold(Float32Array.from(got), 0.5), threshold(want, 0.5));
    console.info(`[browser parity] '${prompt.slice(0, 24)}': max |Δp| = ${maxd.toExponential(2)}, Dice = ${dice.toFixed(4)}`);
    expect(maxd, prompt).toBeLessThan(1e-3);
    expect(dice, prompt).toBeGreaterThanOrEqual(0.99);
  }
});
