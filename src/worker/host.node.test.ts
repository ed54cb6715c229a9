// The worker's request handling (InferenceHost) on onnxruntime-node: protocol replies, latest-wins per
// scan, cancel, dispose, errors for bad requests and bad bundles.
import { beforeAll, describe, expect, it } from 'vitest';
import { pythonSkipReason } from '../engine/testing/python';
import { InferenceHost } from './host';
import { fsSource, nodeRuntime } from './nodeRuntime';
import type { ModelInfo, Reply, Request, SegmentResult } from './protocol';
import { ensureTinyBundles, rgbScan, TINY } from './testing';

function harness() {
  const replies: Reply[] = [];
  const waiters = new Map<number, (r: Reply) => void>();
  const host = new InferenceHost(
    (r) => {
      replies.push(r);
      if (r.type !== 'progress') waiters.get(r.id)?.(r);
    },
    {
      runtimeFor: () => nodeRuntime({ intraOpNumThreads: 1 }),
      sourceFor: (ref) => fsSource(ref.kind === 'url' ? ref.baseUrl : `${TINY}/${ref.id}`),
      env: () => ({ crossOriginIsolated: true, hardwareConcurrency: 2 }),
    },
  );
  const send = (req: Request) =>
    new Promise<Reply>((resolve) => {
      waiters.set(req.id, resolve);
      host.handle(req);
    });
  return { host, replies, send };
}

const scan = rgbScan(Uint8Array.from({ length: 40 * 30 * 3 }, (_, i) => (i * 13) % 256), 40, 30);

describe('InferenceHost', () => {
  let ready = false;
  beforeAll(() => {
    ready = ensureTinyBundles();
  }, 300_000);

  it('loads, encodes and segments; newer prompts supersede older ones on the same scan', async (ctx) => {
    if (!ready) return ctx.skip(pythonSkipReason());
    const { send, replies } = harness();
    const load = await send({ type: 'loadModel', id: 1, bundle: { kind: 'url', baseUrl: `${TINY}/split` }, backendPreference: 'auto' });
    expect(load.type).toBe('result');
    const info = (load as Extract<Reply, { type: 'result' }>).result as ModelInfo;
    expect(info).toMatchObject({ backend: 'wasm', threads: 2, modelId: 'tiny-split', variant: 'wasm-int8', kind: 'split' });
    expect(info.reason).toMatch(/no WebGPU/);
    expect(replies.some((r) => r.type === 'progress' && r.stage === 'download')).toBe(true);

    const enc = await send({ type: 'encodeImage', id: 2, scanId: 'a', input: { kind: 'scan', scan } });
    expect(enc).toMatchObject({ type: 'result', result: { scanId: 'a', cached: false } });

    const first = send({ type: 'segment', id: 3, scanId: 'a', prompt: 'first' });
    const second = send({ type: 'segment', id: 4, scanId: 'a', prompt: 'second' });
    const other = send({ type: 'segment', id: 5, scanId: 'b', prompt: 'other', input: { kind: 'scan', scan } });
    expect(await first).toMatchObject({ type: 'error', error: { name: 'AbortError' } });
    const r2 = (await second) as Extract<Reply, { type: 'result' }>;
    const seg = r2.result as SegmentResult;
    expect(seg).toMatchObject({ prompt: 'second', width: 40, height: 30, backend: 'wasm', cache: { image: 'hit', text: 'miss' } });
    expect(seg.probabilities).toBeInstanceOf(Float32Array);
    expect(await other).toMatchObject({ type: 'result', result: { prompt: 'other', cache: { image: 'miss' } } });

    const slow = send({ type: 'segment', id: 6, scanId: 'a', prompt: 'to cancel' });
    expect(await send({ type: 'cancel', id: 7, target: 6 })).toMatchObject({ type: 'result', result: null });
    expect(await slow).toMatchObject({ type: 'error', error: { name: 'AbortError', message: 'cancelled' } });

    await send({ type: 'dispose', id: 8, scanId: 'a' });
    expect(await send({ type: 'segment', id: 9, scanId: 'a', prompt: 'x' })).toMatchObject({ type: 'error', error: { message: expect.stringMatching(/has not been opened/) } });
    await send({ type: 'dispose', id: 10 });
    expect(await send({ type: 'segment', id: 11, scanId: 'b', prompt: 'x' })).toMatchObject({ type: 'error', error: { message: 'no model loaded' } });
  }, 120_000);

  it('reports a bad bundle as an error reply', async (ctx) => {
    if (!ready) return ctx.skip(pythonSkipReason());
    const { send } = harness();
    const r = await send({ type: 'loadModel', id: 1, bundle: { kind: 'url', baseUrl: `${TINY}/nope` } });
    expect(r).toMatchObject({ type: 'error', error: { name: 'BundleError', message: expect.stringMatching(/no manifest.json/) } });
  });
});
