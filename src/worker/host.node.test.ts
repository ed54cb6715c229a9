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

  it('a prompt on a slice whose pixels were dropped (more encoded than it keeps) runs on the cached features', async (ctx) => {
    if (!ready) return ctx.skip(pythonSkipReason());
    const { send } = harness();
    await send({ type: 'loadModel', id: 1, bundle: { kind: 'url', baseUrl: `${TINY}/split` }, backendPreference: 'auto' });
    // 40 slices, as a volume's: more than the 32 preprocessed inputs the worker keeps
    const slices = Array.from({ length: 40 }, (_, k) => rgbScan(Uint8Array.from({ length: 40 * 30 * 3 }, (_, i) => (i * 13 + k * 29) % 256), 40, 30));
    let id = 2;
    for (let k = 0; k < slices.length; k++) {
      expect(await send({ type: 'encodeImage', id: id++, scanId: `v#${k}`, input: { kind: 'scan', scan: slices[k] } })).toMatchObject({ type: 'result' });
    }
    // slice 0's pixels are gone; its features and its place in the input are not: no NotEncodedError, no re-send
    const r = (await send({ type: 'segment', id: id++, scanId: 'v#0', prompt: 'second prompt' })) as Extract<Reply, { type: 'result' }>;
    expect(r.type).toBe('result');
    const seg = r.result as SegmentResult;
    expect(seg).toMatchObject({ width: 40, height: 30, cache: { image: 'hit' } });
    // the same pixels sent again give the same probabilities (the geometry kept is the one the pixels had)
    await send({ type: 'dispose', id: id++, scanId: 'v#0' });
    const again = (await send({ type: 'segment', id: id++, scanId: 'v#0', prompt: 'second prompt', input: { kind: 'scan', scan: slices[0] } })) as Extract<Reply, { type: 'result' }>;
    const ref = again.result as SegmentResult;
    expect(ref.cache.image).toBe('miss');
    expect(Array.from(seg.probabilities)).toEqual(Array.from(ref.probabilities));
    // once dispose has forgotten a slice, a prompt without its pixels is refused in words
    await send({ type: 'dispose', id: id++, scanId: 'v#1' });
    expect(await send({ type: 'segment', id: id++, scanId: 'v#1', prompt: 'x' })).toMatchObject({ type: 'error', error: { name: 'NotEncodedError' } });
  }, 120_000);

  it('latest wins within a lane: an all-slices run and the prompt box on the same slice do not cancel each other', async (ctx) => {
    if (!ready) return ctx.skip(pythonSkipReason());
    const { send } = harness();
    await send({ type: 'loadModel', id: 1, bundle: { kind: 'url', baseUrl: `${TINY}/split` }, backendPreference: 'auto' });
    await send({ type: 'encodeImage', id: 2, scanId: 's', input: { kind: 'scan', scan } });
    const volume = send({ type: 'segment', id: 3, scanId: 's', prompt: 'liver', lane: 'volume' });
    const box = send({ type: 'segment', id: 4, scanId: 's', prompt: '' });
    const boxNewer = send({ type: 'segment', id: 5, scanId: 's', prompt: 'lesion', lane: '' });
    expect(await volume).toMatchObject({ type: 'result', result: { prompt: 'liver' } });
    expect(await box).toMatchObject({ type: 'error', error: { name: 'AbortError' } });
    expect(await boxNewer).toMatchObject({ type: 'result', result: { prompt: 'lesion' } });
  }, 120_000);

  it('reports a bad bundle as an error reply', async (ctx) => {
    if (!ready) return ctx.skip(pythonSkipReason());
    const { send } = harness();
    const r = await send({ type: 'loadModel', id: 1, bundle: { kind: 'url', baseUrl: `${TINY}/nope` } });
    expect(r).toMatchObject({ type: 'error', error: { name: 'BundleError', message: expect.stringMatching(/no manifest.json/) } });
  });
});
