// Time limit and cancellation of worker reads, with a stand-in Worker (Node has no module workers):
// a silent decoder is stopped and reported, a cancelled read terminates the decoder, replies are routed.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ScanReadError } from '../../scan/types';
import type { ReadReply, ReadRequest } from './protocol';

type Mode = 'silent' | 'fail' | 'crash' | 'declare';

class FakeWorker extends EventTarget {
  static mode: Mode = 'silent';
  static live = 0;
  static terminated = 0;
  constructor() {
    super();
    FakeWorker.live++;
  }
  postMessage(req: ReadRequest): void {
    if (FakeWorker.mode === 'fail') {
      const reply: ReadReply = { id: req.id, ok: false, code: 'corrupt', message: `bad ${req.name}` };
      queueMicrotask(() => this.dispatchEvent(Object.assign(new Event('message'), { data: reply })));
    } else if (FakeWorker.mode === 'declare') {
      // a 512³ float volume's header, then a long (legitimate) decode
      const reply: ReadReply = { id: req.id, declared: { bytes: 512 ** 3 * 4, width: 512, height: 512, frames: 512 } };
      queueMicrotask(() => this.dispatchEvent(Object.assign(new Event('message'), { data: reply })));
    } else if (FakeWorker.mode === 'crash') {
      queueMicrotask(() => this.dispatchEvent(Object.assign(new Event('error'), { message: 'boom' })));
    }
  }
  terminate(): void {
    FakeWorker.terminated++;
    FakeWorker.live--;
  }
}

const file = (name: string, size = 10) => ({ name, size, arrayBuffer: async () => new ArrayBuffer(size) });

describe('readFile', () => {
  beforeEach(() => {
    vi.stubGlobal('Worker', FakeWorker);
    FakeWorker.terminated = 0;
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('refuses empty and oversized files without reading them', async () => {
    const { readFile, MAX_FILE_BYTES } = await import('./readFile');
    await expect(readFile(file('a.png', 0))).rejects.toMatchObject({ code: 'empty' });
    await expect(readFile(file('b.dcm', MAX_FILE_BYTES + 1))).rejects.toMatchObject({ code: 'too-large' });
  });

  it('a decoder that never answers is stopped after the time limit and reported', async () => {
    const { readFile, readTimeoutMs } = await import('./readFile');
    FakeWorker.mode = 'silent';
    const p = readFile(file('slow.tif'));
    const check = expect(p).rejects.toThrow(/took longer than 3 s/);
    await vi.advanceTimersByTimeAsync(readTimeoutMs(10) + 10);
    await check;
    expect(FakeWorker.terminated).toBe(1);
    expect(readTimeoutMs(40_000_000)).toBe(12_000);
  });

  it('the time limit follows the decoded size the header declares, not the file size', async () => {
    const { readFile, readTimeoutMs, decodeTimeoutMs } = await import('./readFile');
    FakeWorker.mode = 'declare';
    const declared: number[] = [];
    const p = readFile(file('vol.nii.gz', 100_000_000), undefined, { onDeclared: (d) => declared.push(d.bytes) });
    let settled = false;
    void p.catch(() => undefined).finally(() => (settled = true));
    // past the file-size limit (27 s for 100 MB): still decoding
    await vi.advanceTimersByTimeAsync(readTimeoutMs(100_000_000) + 1000);
    expect(settled).toBe(false);
    expect(declared).toEqual([512 ** 3 * 4]);
    const check = expect(p).rejects.toThrow(/took longer than \d+ s/);
    await vi.advanceTimersByTimeAsync(decodeTimeoutMs(512 ** 3 * 4, 100_000_000));
    await check;
    expect(decodeTimeoutMs(512 ** 3 * 4, 100_000_000)).toBeGreaterThan(40_000);
  });

  it('routes the reader’s error message as a ScanReadError', async () => {
    const { readFile } = await import('./readFile');
    FakeWorker.mode = 'fail';
    const err = await readFile(file('x.png')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScanReadError);
    expect((err as ScanReadError).message).toBe('bad x.png');
  });

  it('a crashed decoder is replaced and reported', async () => {
    const { readFile } = await import('./readFile');
    FakeWorker.mode = 'crash';
    await expect(readFile(file('c.nii'))).rejects.toThrow(/reader stopped \(it probably ran out of memory/);
    expect(FakeWorker.terminated).toBe(1);
  });

  it('cancelling stops the decoder and says so', async () => {
    const { readFile, ReadCancelled } = await import('./readFile');
    FakeWorker.mode = 'silent';
    const ctl = new AbortController();
    const p = readFile(file('big.dcm'), ctl.signal);
    await vi.advanceTimersByTimeAsync(100);
    ctl.abort();
    await expect(p).rejects.toBeInstanceOf(ReadCancelled);
    expect(FakeWorker.terminated).toBe(1);
  });
});
