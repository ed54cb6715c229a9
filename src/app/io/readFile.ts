// Reads a user file into a Scan in a worker with a time limit. Every failure is a ScanReadError with a
// message meant for the user; a hung decoder is terminated and replaced, the app never waits forever.
import { ScanReadError, type Scan } from '../../scan/types';
import type { ReadReply, ReadRequest } from './protocol';

/** Files above this size are refused before reading them into memory. */
export const MAX_FILE_BYTES = 1024 * 1024 * 1024;

/** Time limit: 2 s, plus 1 s per 4 MB for large legitimate files. */
export const readTimeoutMs = (bytes: number): number => 2000 + Math.ceil(bytes / 4_000_000) * 1000;

let worker: Worker | null = null;
let nextId = 1;

const spawn = (): Worker => new Worker(new URL('./scanWorker.ts', import.meta.url), { type: 'module' });

/** Starts the worker early so its module load is not on the first open's clock. */
export function warmReader(): void {
  worker ??= spawn();
}

function kill(): void {
  worker?.terminate();
  worker = null;
}

/** Thrown when the user cancels a read; not an error worth a red notice. */
export class ReadCancelled extends Error {
  constructor(name: string) {
    super(`Reading "${name}" was cancelled.`);
    this.name = 'ReadCancelled';
  }
}

export async function readFile(file: { name: string; size: number; arrayBuffer(): Promise<ArrayBuffer> }, signal?: AbortSignal): Promise<Scan> {
  if (file.size === 0) throw new ScanReadError(`"${file.name}" is empty (0 bytes).`, 'empty');
  if (file.size > MAX_FILE_BYTES) {
    throw new ScanReadError(
      `"${file.name}" is ${(file.size / 2 ** 30).toFixed(1)} GiB; files over ${MAX_FILE_BYTES / 2 ** 30} GiB are not opened in the browser.`,
      'too-large',
    );
  }
  const bytes = await file.arrayBuffer();
  if (signal?.aborted) throw new ReadCancelled(file.name);
  return readBytes(file.name, bytes, signal);
}

export function readBytes(name: string, bytes: ArrayBuffer, signal?: AbortSignal): Promise<Scan> {
  warmReader();
  const w = worker as Worker;
  const id = nextId++;
  const timeout = readTimeoutMs(bytes.byteLength);
  return new Promise<Scan>((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      w.removeEventListener('message', onMessage);
      w.removeEventListener('error', onError);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      done();
      kill(); // the decoder may be mid-way through a large file: stop it now
      reject(new ReadCancelled(name));
    };
    const onMessage = (e: MessageEvent<ReadReply>) => {
      if (e.data.id !== id) return;
      done();
      if (e.data.ok) resolve(e.data.scan);
      else reject(new ScanReadError(e.data.message, e.data.code));
    };
    const onError = (e: ErrorEvent) => {
      done();
      kill();
      reject(new ScanReadError(`"${name}" could not be read: the reader stopped (${e.message || 'worker error'}).`, 'corrupt'));
    };
    const timer = setTimeout(() => {
      done();
      kill();
      reject(new ScanReadError(`Reading "${name}" took longer than ${Math.round(timeout / 1000)} s and was stopped; the file is probably corrupt.`, 'corrupt'));
    }, timeout);
    w.addEventListener('message', onMessage);
    w.addEventListener('error', onError);
    signal?.addEventListener('abort', onAbort);
    const req: ReadRequest = { id, name, bytes };
    w.postMessage(req, [bytes]);
  });
}
