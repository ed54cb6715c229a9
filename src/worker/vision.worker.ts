// Nested worker that runs only the vision graph, in its own onnxruntime-web instance with its own thread
// count (e.g. 2 threads for the big graph while the prompt graphs run single-threaded next door).
import type { OrtRuntime, OrtSession } from '../engine/runtime';
import { floatData } from '../engine/runtime';
import { assertNever } from './protocol';
import type { VisionReply, VisionRequest } from './protocol';
import { webRuntime } from './webRuntime';

const scope = globalThis as unknown as {
  postMessage(message: VisionReply, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: MessageEvent<VisionRequest>) => void): void;
};

let session: OrtSession | null = null;
let runtime: OrtRuntime | null = null;
let chain: Promise<void> = Promise.resolve();

async function handle(req: VisionRequest): Promise<[VisionReply, Transferable[]]> {
  switch (req.type) {
    case 'init': {
      // Always the plain WASM build: this worker exists only when the backend is WASM.
      runtime ??= await webRuntime({ backend: 'wasm', threads: req.threads, reason: '', shaderF16: false, crossOriginIsolated: globalThis.crossOriginIsolated === true });
      await session?.release();
      session = await runtime.createSession(req.model, {});
      return [{ type: 'ready', id: req.id }, []];
    }
    case 'run': {
      if (!session || !runtime) throw new Error('vision worker has no model');
      const out = await session.run({ [session.inputNames[0]]: runtime.tensor('float32', req.pixels, req.dims) });
      const outputs = Object.entries(out).map(([name, t]) => ({ name, data: floatData(t), dims: [...t.dims] }));
      return [{ type: 'features', id: req.id, outputs }, outputs.map((o) => o.data.buffer as ArrayBuffer)];
    }
    case 'dispose':
      await session?.release();
      session = null;
      return [{ type: 'ready', id: req.id }, []];
    default:
      return assertNever(req);
  }
}

scope.addEventListener('message', (e) => {
  chain = chain.then(async () => {
    try {
      const [reply, transfer] = await handle(e.data);
      scope.postMessage(reply, transfer);
    } catch (err) {
      scope.postMessage({ type: 'error', id: e.data.id, message: (err as Error).message }, []);
    }
  });
});
