// InferenceClient against the real InferenceHost (onnxruntime-node, tiny CLIPSeg) through an in-process
// fake Worker: promise per request, latest-wins, AbortSignal, status, crash restart with model reload.
import { beforeAll, describe, expect, it } from 'vitest';
import { pythonSkipReason } from '../engine/testing/python';
import { InferenceClient, isAbortError } from './client';
import type { InferenceStatus } from './client';
import { InferenceHost } from './host';
import { fsSource, nodeRuntime } from './nodeRuntime';
import type { Reply, Request } from './protocol';
import { ensureTinyBundles, rgbScan, TINY } from './testing';

class FakeWorker extends EventTarget {
  terminated = false;
  private readonly host = new InferenceHost(
    (reply: Reply) => {
      if (!this.terminated) queueMicrotask(() => this.dispatchEvent(new MessageEvent('message', { data: reply })));
    },
    {
      runtimeFor: () => nodeRuntime({ intraOpNumThreads: 1 }),
      sourceFor: (ref) => fsSource(ref.kind === 'url' ? ref.baseUrl : `${TINY}/${ref.id}`),
      env: () => ({ crossOriginIsolated: false, hardwareConcurrency: 2 }),
    },
  );
  postMessage(msg: Request): void {
    // Structured clone, as a real worker boundary would do.
    this.host.handle(structuredClone(msg));
  }
  terminate(): void {
    this.terminated = true;
  }
}

const scan = rgbScan(Uint8Array.from({ length: 32 * 24 * 3 }, (_, i) => (i * 5) % 256), 32, 24);

describe('InferenceClient', () => {
  let ready = false;
  beforeAll(() => {
    ready = ensureTinyBundles();
  }, 300_000);

  it('loads, encodes, segments; newer prompts and aborted signals reject with AbortError', async (ctx) => {
    if (!ready) return ctx.skip(pythonSkipReason());
    const workers: FakeWorker[] = [];
    const client = new InferenceClient({ createWorker: () => (workers.push(new FakeWorker()), workers.at(-1) as unknown as Worker) });
    const states: InferenceStatus['state'][] = [];
    client.subscribe((s) => states.push(s.state));
    const info = await client.loadModel({ kind: 'url', baseUrl: `${TINY}/split` }, { backendPreference: 'auto' });
    expect(info).toMatchObject({ modelId: 'tiny-split', backend: 'wasm', threads: 1 });
    expect(info.reason).toMatch(/not cross-origin isolated/);
    expect(states).toContain('loading');
    expect(client.status).toMatchObject({ state: 'ready', backend: 'wasm' });

    await client.encodeImage('a', scan);
    expect(scan.data.byteLength).toBe(32 * 24 * 3); // the caller keeps its pixels (a copy is sent)
    const first = client.segment('a', 'first');
    const second = client.segment('a', 'second');
    await expect(first).rejects.toSatisfy(isAbortError);
    const r = await second;
    expect(r).toMatchObject({ prompt: 'second', width: 32, height: 24, scanId: 'a' });
    expect(client.status.lastTimings?.decoderMs).toBeGreaterThan(0);

    // The worker dropped the scan (bounded memory): the client re-sends its own copy of the frame once.
    (client as unknown as { post(m: Request): void }).post({ type: 'dispose', id: 10_000, scanId: 'a' });
    expect(await client.segment('a', 'after drop')).toMatchObject({ prompt: 'after drop', cache: { image: 'miss' } });

    const ac = new AbortController();
    const p = client.segment('a', 'aborted', { signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toSatisfy(isAbortError);

    // A crash: pending requests fail, the worker restarts, the model reloads, the scan is re-sent.
    const pending = client.segment('a', 'during crash');
    workers[0].dispatchEvent(new Event('error', { cancelable: true }));
    await expect(pending).rejects.toThrow(/crashed/);
    expect(workers).toHaveLength(2);
    await expect.poll(() => client.status.state, { timeout: 30_000 }).toBe('ready');
    expect(client.status.restarts).toBe(1);
    const again = await client.segment('a', 'after crash');
    expect(again).toMatchObject({ width: 32, height: 24, cache: { image: 'miss', text: 'miss' } });
    const ac2 = new AbortController();
    const load = client.loadModel({ kind: 'url', baseUrl: `${TINY}/single` }, { signal: ac2.signal });
    ac2.abort();
    await expect(load).rejects.toSatisfy(isAbortError);
    expect(client.status).toMatchObject({ state: 'idle', error: 'model loading cancelled' });
    client.dispose();
  }, 120_000);
});
