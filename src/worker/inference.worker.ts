// The inference worker: owns the ONNX sessions (onnxruntime-web) and answers the typed protocol.
import { InferenceHost } from './host';
import { currentEnv } from './backend';
import { bundleBaseUrl, httpSource } from './httpSource';
import type { Reply, Request } from './protocol';
import { webRuntime } from './webRuntime';
import { RemoteVision } from './visionRunner';

const scope = globalThis as unknown as {
  postMessage(message: Reply, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: MessageEvent<Request>) => void): void;
};

const host = new InferenceHost((reply, transfer) => scope.postMessage(reply, transfer ?? []), {
  runtimeFor: webRuntime,
  externalVision: (model, threads) => RemoteVision.create(model, threads),
  sourceFor: (ref) => httpSource(bundleBaseUrl(ref)),
  env: currentEnv,
});

scope.addEventListener('message', (e) => host.handle(e.data));
