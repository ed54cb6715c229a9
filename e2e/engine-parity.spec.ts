// Browser parity: onnxruntime-web in Chromium (worker, same code as the app) against the Python toolchain
// (PIL + tokenizers + onnxruntime Python, src/engine/testing/parity_reference.py) on the shipped model.
// The image is the model's input size, so the probabilities are sigmoid(logits) with no resize between.
import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';

const BUNDLE = 'models/compact-vlsm';

function python(): string | null {
  for (const exe of ['.venv/bin/python', 'python3']) {
    try {
      execFileSync(exe, ['-c', 'import numpy, PIL, onnxruntime, tokenizers'], { stdio: 'ignore' });
      return exe;
    } catch {
      /* next */
    }
  }
  return null;
}

test('browser logits match the Python toolchain on the shipped model', async ({ page }) => {
  test.setTimeout(180_000);
  const manifest = JSON.parse(readFileSync(`${BUNDLE}/manifest.json`, 'utf8')) as { input: { size: [number, number] }; variants: { name: string; backends: string[] }[] };
  const [H, W] = manifest.input.size;
  const variant = manifest.variants.find((v) => v.backends.includes('wasm'))?.name as string;
  const tag = createHash('sha256').update(readFileSync(`${BUNDLE}/manifest.json`)).digest('hex').slice(0, 12);
  const out = `models/build/parity/browser-${variant}-${W}x${H}-${tag}`;
  if (!existsSync(`${out}/meta.json`)) {
    const exe = python();
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
    let maxd = 0;
    let inter = 0;
    let sa = 0;
    let sb = 0;
    for (let k = 0; k < got.length; k++) {
      const want = 1 / (1 + Math.exp(-logits[k]));
      maxd = Math.max(maxd, Math.abs(want - got[k]));
      const a = got[k] >= 0.5 ? 1 : 0;
      const b = want >= 0.5 ? 1 : 0;
      inter += a & b;
      sa += a;
      sb += b;
    }
    const dice = sa + sb === 0 ? 1 : (2 * inter) / (sa + sb);
    console.info(`[browser parity] '${prompt.slice(0, 24)}': max |Δp| = ${maxd.toExponential(2)}, Dice = ${dice.toFixed(4)}`);
    expect(maxd, prompt).toBeLessThan(1e-3);
    expect(dice, prompt).toBeGreaterThanOrEqual(0.99);
  }
});
