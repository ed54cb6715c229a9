// Client side of the nested vision worker: one promise per request, buffers transferred both ways.
import type { VisionEncoder } from '../engine/engine';
import type { VisionReply, VisionRequest } from './protocol';

type Body = VisionRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export class RemoteVision implements VisionEncoder {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(r: VisionReply): void; reject(e: Error): void }>();

  private constructor(private readonly worker: Worker) {
    worker.addEventListener('message', (e: MessageEvent<VisionReply>) => {
      const w = this.waiting.get(e.data.id);
      this.waiting.delete(e.data.id);
      if (!w) return;
      if (e.data.type === 'error') w.reject(new Error(`vision worker: ${e.data.message}`));
      else w.resolve(e.data);
    });
    worker.addEventListener('error', () => {
      for (const w of this.waiting.values()) w.reject(new Error('vision worker crashed'));
      this.waiting.clear();
    });
  }

  static async create(model: Uint8Array, threads: number): Promise<RemoteVision> {
    const worker = new Worker(new URL('./vision.worker.ts', import.meta.url), { type: 'module', name: 'vlsm-vision' });
    const rv = new RemoteVision(worker);
    const copy = model.slice();
    await rv.send({ type: 'init', model: copy, threads }, [copy.buffer]);
    return rv;
  }

  async encode(pixels: Float32Array, dims: readonly number[]): Promise<Record<string, { data: Float32Array; dims: number[] }>> {
    const copy = pixels.slice();
    const r = await this.send({ type: 'run', pixels: copy, dims: [...dims] }, [copy.buffer]);
    if (r.type !== 'features') throw new Error('vision worker: unexpected reply');
    return Object.fromEntries(r.outputs.map((o) => [o.name, { data: o.data, dims: o.dims }]));
  }

  release(): void {
    this.worker.terminate();
  }

  private send(body: Body, transfer: Transferable[]): Promise<VisionReply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...body, id } as VisionRequest, transfer);
    });
  }
}
