// Reads a user file into a Scan (or a reference mask) in a worker with a time limit. Every failure is a
// ScanReadError with a message meant for the user; a hung decoder is terminated and replaced, the app never
// waits forever. The limit starts from the file size (to read the header) and, once the worker reports the
// decoded size the header declares, follows that: a legitimate 512³ float volume gets the time it needs.
import type { Mask } from '../../mask/types';
import { ScanReadError, type Scan } from '../../scan/types';
import type { MaskTarget } from '../../scan/writers/maskImport';
import type { ReadReply, ReadRequest } from './protocol';

/** Files above this size are refused before reading them into memory. */
export const MAX_FILE_BYTES = 1024 * 1024 * 1024;

/** Time limit before the header is known: 2 s, plus 1 s per 4 MB of file. */
export const readTimeoutMs = (bytes: number): number => 2000 + Math.ceil(bytes / 4_000_000) * 1000;

/** Time limit once the decoded size is known: 3 s, plus 1 s per 16 MiB decoded and per 8 MB of file. */
export const decodeTimeoutMs = (decodedBytes: number, fileBytes: number): number =>
  3000 + Math.ceil(decodedBytes / 2 ** 24) * 1000 + Math.ceil(fileBytes / 8_000_000) * 1000;

export type Declared = { bytes: number; width: number; height: number; frames: number };

/** What a read reports while it runs: the size the header declares, then (long decodes) the fraction done. */
export interface ReadEvents {
  onDeclared?: (d: Declared) => void;
  onProgress?: (fraction: number) => void;
}

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

export async function readFile(file: { name: string; size: number; arrayBuffer(): Promise<ArrayBuffer> }, signal?: AbortSignal, events?: ReadEvents): Promise<Scan> {
  if (file.size === 0) throw new ScanReadError(`"${file.name}" is empty (0 bytes).`, 'empty');
  if (file.size > MAX_FILE_BYTES) {
    throw new ScanReadError(
      `"${file.name}" is ${(file.size / 2 ** 30).toFixed(1)} GiB; files over ${MAX_FILE_BYTES / 2 ** 30} GiB are not opened in the browser.`,
      'too-large',
    );
  }
  const bytes = await file.arrayBuffer();
  if (signal?.aborted) throw new ReadCancelled(file.name);
  return readBytes(file.name, bytes, signal, events);
}

export function readBytes(name: string, bytes: ArrayBuffer, signal?: AbortSignal, events?: ReadEvents): Promise<Scan> {
  return request<Scan>({ id: 0, name, bytes }, readTimeoutMs(bytes.byteLength), signal, events);
}

/** Reads a reference mask for `frame` of an open scan in the worker (sizes checked before decoding). */
export function readMaskBytes(name: string, bytes: ArrayBuffer, target: MaskTarget, frame: number, signal?: AbortSignal): Promise<Mask> {
  // a mask holds at most the scan's pixels: the limit follows the scan's size, not the file's
  const timeout = decodeTimeoutMs(target.width * target.height * 8, bytes.byteLength);
  const { spacing, spacingKnown, geometry, width, height, frames } = target;
  return request<Mask>({ id: 0, kind: 'mask', name, bytes, target: { spacing, spacingKnown, geometry, width, height, frames }, frame }, timeout, signal);
}

function request<T>(req: ReadRequest, firstTimeout: number, signal?: AbortSignal, events: ReadEvents = {}): Promise<T> {
  warmReader();
  const w = worker as Worker;
  const id = nextId++;
  const { name, bytes } = req;
  let timeout = firstTimeout;
  const started = Date.now();
  return new Promise<T>((resolve, reject) => {
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
      const r = e.data;
      if (r.id !== id) return;
      if ('declared' in r) {
        // the header is read: the limit now follows the decoded size it declares
        const next = Math.max(timeout, decodeTimeoutMs(r.declared.bytes, bytes.byteLength));
        if (next > timeout) {
          timeout = next;
          clearTimeout(timer);
          timer = setTimeout(onTimeout, Math.max(0, started + timeout - Date.now()));
        }
        events.onDeclared?.(r.declared);
        return;
      }
      if ('progress' in r) {
        events.onProgress?.(r.progress);
        return;
      }
      done();
      if (r.ok) resolve(('scan' in r ? r.scan : r.mask) as T);
      else reject(new ScanReadError(r.message, r.code));
    };
    const onError = () => {
      done();
      kill();
      reject(new ScanReadError(`"${name}" could not be read: the reader stopped (it probably ran out of memory on this file).`, 'corrupt'));
    };
    const onTimeout = () => {
      done();
      kill();
      reject(new ScanReadError(`Reading "${name}" took longer than ${Math.round(timeout / 1000)} s and was stopped; the file is probably corrupt.`, 'corrupt'));
    };
    let timer = setTimeout(onTimeout, timeout);
    w.addEventListener('message', onMessage);
    w.addEventListener('error', onError);
    signal?.addEventListener('abort', onAbort);
    w.postMessage({ ...req, id }, [bytes]);
  });
}
