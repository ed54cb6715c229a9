// Browser parity: onnxruntime-web in Chromium (worker, same code as the app) against the Python toolchain
// (PIL + tokenizers + onnxruntime Python, src/engine/testing/parity_reference.py) on the shipped model.
// The image is the model's input size, so the probabilities are sigmoid(logits) with no resize between.
import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dice as diceOf, threshold } from '../src/engine/postprocess';
import { pythonExe } from '../src/engine/testing/python';

const BUNDLE = 'models/compact-vlsm';

test('browser logits match the Python toolchain on the shipped model', async ({ page }) => {
  test.setTimeout(180_000);
  const manifest = JSON.parse(readFileSync(`${BUNDLE}/manifest.json`, 'utf8')) as { input: { size: [number, number] }; variants: { name: string; backends: string[] }[] };
  const [H, W] = manifest.input.size;
  const variant = manifest.variants.find((v) => v.backends.includes('wasm'))?.name as string;
  const tag = createHash('sha256').update(readFileSync(`${BUNDLE}/manifest.json`)).digest('hex').slice(0, 12);
  const out = `models/build/parity/browser-${variant}-${W}x${H}-${tag}`;
  if (!existsSync(`${out}/meta.json`)) {
    const exe = pythonExe('numpy, PIL, onnxruntime, tokenizers');
    test.skip(!exe, 'python with numpy, Pillow, onnxruntime and tokenizers not found');
    execFileSync(exe as string, ['src/engine/testing/parity_reference.py', BUNDLE, variant, out, `${W}x${H}`], { stdio: 'inherit' });
  }
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
