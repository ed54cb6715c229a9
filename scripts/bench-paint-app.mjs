// Optional in-app half of `npm run bench:paint` (BENCH_APP_URL=http://host:port): opens a generated
// 2048x2048 PNG in the running app, paints with the brush through real pointer events and measures
// frames per second while painting (requestAnimationFrame cadence), time per pointer move and undo
// latency (Ctrl+Z until the next frame) — the whole path including the viewer's redraw.
import { encode } from 'fast-png';

const N = 2048;

function testPng() {
  const data = new Uint8Array(N * N);
  for (let i = 0; i < data.length; i++) data[i] = ((i % N) ^ Math.floor(i / N)) & 255;
  return Buffer.from(encode({ width: N, height: N, data, channels: 1, depth: 8 }));
}

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

async function stroke(page, box, moves, k) {
  const at = (i) => [box.x + box.width / 2 + (250 - 60 * k) * Math.cos(i / 20), box.y + box.height / 2 + (250 - 60 * k) * Math.sin(i / 29)];
  await page.mouse.move(...at(0));
  await page.mouse.down();
  const t0 = await page.evaluate(() => performance.now());
  for (let i = 1; i <= moves; i++) await page.mouse.move(...at(i));
  await page.mouse.up();
  const t1 = await page.evaluate(() => performance.now());
  const frames = await page.evaluate(([a, b]) => window.__benchFrames.filter((t) => t >= a && t <= b).length, [t0, t1]);
  return { fps: +(frames / ((t1 - t0) / 1000)).toFixed(1), msPerMove: +((t1 - t0) / moves).toFixed(1) };
}

export async function benchApp(browser, url, moves = 200) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(url);
  await page.waitForFunction(() => !!window.__vlsm && !!window.__vlsmLoop);
  await page.getByTestId('file-input').setInputFiles({ name: 'bench-2048.png', mimeType: 'image/png', buffer: testPng() });
  await page.waitForFunction((n) => window.__vlsm.getState().scan?.width === n, N, { timeout: 120_000 });
  await page.getByTestId('tool-brush').click();
  const box = await page.getByTestId('viewer').boundingBox();
  await page.evaluate(() => {
    window.__benchFrames = [];
    const f = (t) => {
      window.__benchFrames.push(t);
      if (!window.__benchStop) requestAnimationFrame(f);
    };
    requestAnimationFrame(f);
  });
  // First stroke at once, while the automatic empty-prompt run (image encode + decoder) is still in flight;
  // the second after that run has finished and the inference worker is idle.
  const duringModelRun = await stroke(page, box, moves, 0);
  await page.waitForFunction(() => window.__vlsmLoop.runs().length >= 1 && !window.__vlsmLoop.busy(), null, { timeout: 180_000 });
  const afterModelRun = await stroke(page, box, moves, 1);
  // a few separate strokes, then undo each, timing Ctrl+Z to the next animation frame
  for (let s = 0; s < 5; s++) {
    await page.mouse.move(box.x + 100 + s * 40, box.y + 100);
    await page.mouse.down();
    await page.mouse.move(box.x + 100 + s * 40, box.y + 300, { steps: 5 });
    await page.mouse.up();
  }
  const undo = [];
  for (let s = 0; s < 5; s++) {
    undo.push(
      await page.evaluate(async () => {
        const t = performance.now();
        window.dispatchEvent(new KeyboardEvent('keydown', { key: 'z', ctrlKey: true, bubbles: true }));
        await new Promise((r) => requestAnimationFrame(() => r(undefined)));
        return performance.now() - t;
      }),
    );
  }
  const state = await page.evaluate(() => window.__vlsmLoop.correction());
  await page.close();
  return {
    scan: `${N}x${N}`,
    moves,
    fps: afterModelRun.fps,
    msPerMove: afterModelRun.msPerMove,
    duringModelRun,
    afterModelRun,
    undoToFrameMs: +median(undo).toFixed(1),
    undoStepsLeft: state?.undo ?? null,
  };
}
