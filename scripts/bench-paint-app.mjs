// Optional in-app half of `npm run bench:paint` (BENCH_APP_URL=http://host:port): opens generated
// 2048x2048 PNGs in the running app, paints with the brush through real pointer events and measures the
// whole path including the viewer's redraw: frames per second (requestAnimationFrame cadence), the 95th
// percentile frame time, the longest main-thread task (Long Tasks API, >= 50 ms) and undo latency
// (Ctrl+Z until the next frame).
//
// Painting is measured while a model run is in flight and, in the same run, when the model is idle:
// - firstScan: the first scan's strokes start at once; the model loads (wasm compile, sessions), then the
//   automatic empty-prompt run encodes the scan. Reported separately for the loading part and the run.
// - duringModelRun: for each further scan the stroke starts once its automatic run is in flight (vision
//   encode of the 2048x2048 scan, prompt graphs, post-processing, until its mask is shown); only frames
//   inside the in-flight interval count. A recorder in the page marks the interval (the inference
//   client is busy or the results panel shows a run in progress); the bench fails when the run is not in
//   flight when the stroke starts or the in-flight time measured is too short.
// - afterModelRun: the same stroke with the inference worker idle (the in-same-run baseline).
// - afterStroke: the 1.5 s after short strokes end (model idle): longest main-thread task and frame gap
//   (the debounced autosave falls in it) and when the draft row in IndexedDB held each stroke;
//   afterHeavyStroke: the same after a dense zigzag with the smallest brush (a mask of many runs).
import { encode } from 'fast-png';

const N = 2048;
const MIN_IN_FLIGHT_MS = 1500;
const AFTER_STROKE_MS = 1500;

function testPng(seed) {
  const data = new Uint8Array(N * N);
  for (let i = 0; i < data.length; i++) data[i] = (((i % N) ^ Math.floor(i / N)) + seed * 37) & 255;
  return Buffer.from(encode({ width: N, height: N, data, channels: 1, depth: 8 }));
}

const round = (x, d = 1) => (x === null || x === undefined || !Number.isFinite(x) ? null : +x.toFixed(d));
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const pct = (a, p) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length ? s[Math.min(s.length - 1, Math.floor((s.length - 1) * (p / 100)))] : null;
};

/** Installed before the app's scripts: frame times, long tasks and the model's in-flight/loading state. */
function recorder() {
  const log = { frames: [], long: [], states: [] };
  window.__benchLog = log;
  let last = '';
  const sample = () => {
    const loop = window.__vlsmLoop;
    const inf = window.__vlsmInference?.getState().status.state;
    const s = loop?.busy() || inf === 'busy' ? 'run' : inf === 'loading' ? 'loading' : 'idle';
    if (s !== last) {
      log.states.push([performance.now(), s]);
      last = s;
    }
  };
  const frame = (t) => {
    log.frames.push(t);
    sample();
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  setInterval(sample, 4);
  new PerformanceObserver((l) => {
    for (const e of l.getEntries()) log.long.push([e.startTime, e.duration]);
  }).observe({ type: 'longtask', buffered: true });
}

/** [start, end) intervals where the recorder saw state `s`, clipped to [a, b]. */
function intervals(states, s, a, b) {
  const out = [];
  for (let i = 0; i < states.length; i++) {
    if (states[i][1] !== s) continue;
    const from = Math.max(a, states[i][0]);
    const to = Math.min(b, i + 1 < states.length ? states[i + 1][0] : Infinity);
    if (to > from) out.push([from, to]);
  }
  return out;
}

/** Frame figures over the given intervals: fps, 95th percentile / longest frame time, longest task. */
function figures(log, spans) {
  let ms = 0;
  let frames = 0;
  const gaps = [];
  let longest = 0;
  for (const [a, b] of spans) {
    ms += b - a;
    const f = log.frames.filter((t) => t >= a && t <= b);
    frames += f.length;
    // the first frame inside the span closes the gap since the last frame before it
    const before = log.frames.filter((t) => t < a).at(-1);
    const all = before !== undefined ? [before, ...f] : f;
    for (let i = 1; i < all.length; i++) gaps.push(all[i] - all[i - 1]);
    for (const [s, d] of log.long) if (s < b && s + d > a) longest = Math.max(longest, d);
  }
  return {
    fps: round(frames / (ms / 1000)),
    p95FrameMs: round(pct(gaps, 95)),
    maxFrameMs: round(gaps.length ? Math.max(...gaps) : null),
    longestTaskMs: round(longest, 0),
    measuredMs: round(ms, 0),
    frames,
  };
}

async function stroke(page, box, k, until, maxMoves) {
  const r = 250 - 50 * (k % 4);
  const at = (i) => [box.x + box.width / 2 + r * Math.cos(i / 20), box.y + box.height / 2 + r * Math.sin(i / 29)];
  await page.mouse.move(...at(0));
  await page.mouse.down();
  const t0 = await page.evaluate(() => performance.now());
  let i = 1;
  for (; i <= maxMoves; i++) {
    await page.mouse.move(...at(i));
    if (until && i % 5 === 0 && (await page.evaluate(until))) break;
  }
  await page.mouse.up();
  const t1 = await page.evaluate(() => performance.now());
  return { t0, t1, moves: i };
}

/** In the page: polls the open scan's draft row until it was written at or after `since` (wall clock). */
async function draftSavedAfter({ since, timeoutMs }) {
  const t0 = performance.now();
  const st = window.__vlsm.getState();
  const key = `${st.scan.id}:${st.frame}:corrected`;
  const db = await new Promise((res, rej) => {
    const r = indexedDB.open('vlsm-workbench');
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
  });
  try {
    while (performance.now() - t0 < timeoutMs + 1000) {
      const row = await new Promise((res) => {
        const q = db.transaction('masks').objectStore('masks').get(key);
        q.onsuccess = () => res(q.result);
        q.onerror = () => res(undefined);
      });
      if (row && row.createdAt >= since) return { savedMs: Math.round(performance.now() - t0), waitedMs: performance.now() - t0 };
      await new Promise((r) => setTimeout(r, 10));
    }
    return { savedMs: null, waitedMs: performance.now() - t0 };
  } finally {
    db.close();
  }
}

/** The AFTER_STROKE_MS after a stroke's pointer-up at `t1` (page clock), waited out: frame figures of that
 *  window, when the draft row in IndexedDB held the stroke, and the autosave's own main-thread time as the app
 *  measures it (user timing 'vlsm:autosave-main'). */
async function afterStrokeWindow(page, t1) {
  const wall = await page.evaluate(() => Date.now());
  const saved = await page.evaluate(draftSavedAfter, { since: wall - 5, timeoutMs: AFTER_STROKE_MS });
  await page.waitForTimeout(Math.max(0, AFTER_STROKE_MS - saved.waitedMs) + 100);
  const log = await page.evaluate(() => window.__benchLog);
  const autosaveMainMs = await page.evaluate(
    ([a, b]) => Math.max(0, ...performance.getEntriesByName('vlsm:autosave-main').filter((e) => e.startTime >= a && e.startTime <= b).map((e) => e.duration)),
    [t1, t1 + AFTER_STROKE_MS],
  );
  return { ...figures(log, [[t1, t1 + AFTER_STROKE_MS]]), draftSavedMs: saved.savedMs, autosaveMainMs };
}

const runDone = () => window.__vlsmLoop.runs().length >= 1 && !window.__vlsmLoop.busy() && window.__vlsmInference?.getState().status.state !== 'busy';
const inFlight = () => !!window.__vlsmLoop.busy() || window.__vlsmInference?.getState().status.state === 'busy';

export async function benchApp(browser, url, { moves = 200, scans = 3 } = {}) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.addInitScript(recorder);
  await page.goto(url);
  await page.waitForFunction(() => !!window.__vlsm && !!window.__vlsmLoop && !!window.__vlsmInference);
  const open = async (k) => {
    await page.getByTestId('file-input').setInputFiles({ name: `bench-${k}.png`, mimeType: 'image/png', buffer: testPng(k) });
    await page.waitForFunction((name) => window.__vlsm.getState().scan?.name === name, `bench-${k}.png`, { timeout: 120_000 });
  };
  await open(0);
  await page.getByTestId('tool-brush').click();
  const box = await page.getByTestId('viewer').boundingBox();

  // 1. first scan: paint at once, through model loading and the first run
  const first = await stroke(page, box, 0, runDone, 3000);
  await page.waitForFunction(runDone, null, { timeout: 180_000 });
  let log = await page.evaluate(() => window.__benchLog);
  const firstScan = {
    loading: figures(log, intervals(log.states, 'loading', first.t0, first.t1)),
    run: figures(log, intervals(log.states, 'run', first.t0, first.t1)),
  };

  // 2. idle: the same kind of stroke with no model work (in-same-run baseline)
  const idle = await stroke(page, box, 1, null, moves);
  log = await page.evaluate(() => window.__benchLog);
  const idleSpans = intervals(log.states, 'idle', idle.t0, idle.t1);
  const afterModelRun = { ...figures(log, idleSpans), msPerMove: round((idle.t1 - idle.t0) / idle.moves) };
  if (afterModelRun.measuredMs < 0.9 * (idle.t1 - idle.t0)) throw new Error('bench:paint: the model was not idle during the baseline stroke');

  // 2b. after a stroke ends: the autosave (debounced) and anything else the edit triggers, model idle.
  // Per stroke: the longest main-thread task and frame gap in the AFTER_STROKE_MS after pointer-up, and
  // how long until the draft row in IndexedDB holds the stroke (read from the page's own connection).
  const afterStrokes = [];
  await page.waitForTimeout(1000); // the baseline stroke's own autosave lands first
  for (let k = 0; k < 3; k++) {
    // a short straight stroke on fresh pixels (the earlier strokes' circles are already painted)
    await page.mouse.move(box.x + box.width / 2 - 120 + k * 60, box.y + box.height / 2 - 150);
    await page.mouse.down();
    for (let i = 1; i <= 20; i++) await page.mouse.move(box.x + box.width / 2 - 120 + k * 60, box.y + box.height / 2 - 150 + i * 15);
    await page.mouse.up();
    afterStrokes.push(await afterStrokeWindow(page, await page.evaluate(() => performance.now())));
  }
  const afterStroke = {
    windowMs: AFTER_STROKE_MS,
    longestTaskMs: Math.max(...afterStrokes.map((f) => f.longestTaskMs)),
    maxFrameMs: Math.max(...afterStrokes.map((f) => f.maxFrameMs ?? 0)),
    p95FrameMs: round(median(afterStrokes.map((f) => f.p95FrameMs))),
    autosaveMainMs: round(Math.max(...afterStrokes.map((f) => f.autosaveMainMs)), 2),
    draftSavedMs: afterStrokes.map((f) => f.draftSavedMs),
  };

  // 3. further scans: paint only while each scan's automatic run is in flight
  // A scan whose run ended before its stroke began (a short run on a fast machine) is not counted, and
  // scans are added until at least MIN_IN_FLIGHT_MS were painted in flight: up to 4x as many as asked for.
  const spans = [];
  const windows = [];
  let missed = 0;
  const paintedMs = () => windows.reduce((a, b) => a + b, 0);
  for (let k = 1; windows.length < scans || paintedMs() < MIN_IN_FLIGHT_MS; k++) {
    if (k > 4 * scans) throw new Error(`bench:paint: ${paintedMs()} ms painted while a run was in flight on ${windows.length} scans (${missed} runs over before the stroke began)`);
    await open(k);
    await page.waitForFunction(inFlight, null, { timeout: 60_000, polling: 5 });
    const s = await stroke(page, box, k + 1, runDone, 3000);
    await page.waitForFunction(runDone, null, { timeout: 180_000 });
    log = await page.evaluate(() => window.__benchLog);
    const w = intervals(log.states, 'run', s.t0, s.t1);
    // in flight from the stroke's first move (the recorder samples every 4 ms and every frame)
    if (!w.length || w[0][0] > s.t0 + 20) {
      missed++;
      continue;
    }
    spans.push(...w);
    windows.push(round(w.reduce((a, [x, y]) => a + y - x, 0), 0));
  }
  log = await page.evaluate(() => window.__benchLog);
  const duringModelRun = { ...figures(log, spans), windowsMs: windows, scansMissed: missed };
  if (duringModelRun.measuredMs < MIN_IN_FLIGHT_MS) throw new Error(`bench:paint: only ${duringModelRun.measuredMs} ms painted while a run was in flight`);

  // 4. a few separate strokes, then undo each, timing Ctrl+Z to the next animation frame
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

  // 5. a heavily edited mask: a dense zigzag with the smallest brush (hundreds of thousands of row runs),
  // then the same after-stroke figures for its autosave
  for (let i = 0; i < 12; i++) await page.keyboard.press('[');
  const zx = box.x + box.width / 2 - 300;
  await page.mouse.move(zx, box.y + 20);
  await page.mouse.down();
  const h0 = await page.evaluate(() => performance.now());
  for (let i = 1; i <= 240; i++) await page.mouse.move(zx + i * 2.5, box.y + (i % 2 ? box.height - 20 : 20));
  await page.mouse.up();
  const h1 = await page.evaluate(() => performance.now());
  const heavy = await afterStrokeWindow(page, h1);
  const afterHeavyStroke = {
    maskRuns: await page.evaluate(() => window.__vlsmLoop.correction().counts.length),
    strokeMs: round(h1 - h0, 0),
    longestTaskMs: heavy.longestTaskMs,
    maxFrameMs: heavy.maxFrameMs,
    autosaveMainMs: round(heavy.autosaveMainMs, 2),
    draftSavedMs: heavy.draftSavedMs,
  };
  const model = await page.evaluate(() => {
    const s = window.__vlsmInference.getState().status;
    return { backend: s.backend, threads: s.threads, promptThreads: s.model?.promptThreads, visionWorker: s.model?.visionWorker };
  });
  await page.close();
  return {
    scan: `${N}x${N}`,
    model,
    duringModelRun,
    afterModelRun,
    afterStroke,
    afterHeavyStroke,
    firstScan,
    undoToFrameMs: round(median(undo)),
    undoStepsLeft: state?.undo ?? null,
  };
}
