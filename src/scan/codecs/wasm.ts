// Lazy loader for the Cornerstone Emscripten codecs (libjpeg-turbo, CharLS, OpenJPEG, OpenJPH).
// Each is fetched by dynamic import the first time a file needs it, so the app bundle stays small.
// Node (vitest, CLI): the Emscripten glue finds the .wasm beside itself through __dirname, so no options.
// Browser: the .wasm is imported as a Vite asset URL and handed over through locateFile.
import { ScanReadError } from '../types';

export interface FrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned: boolean;
}

interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  getFrameInfo(): FrameInfo;
  decode(): void;
  delete(): void;
}

export type CodecName = 'jpeg' | 'jpegls' | 'j2k' | 'htj2k';

interface FactoryOptions {
  locateFile?: (path: string, dir: string) => string;
  print?: (s: string) => void;
  printErr?: (s: string) => void;
}
type Factory = (opts?: FactoryOptions) => Promise<Record<string, unknown>>;
const quiet = (): void => undefined;

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

async function load(name: CodecName): Promise<Record<string, unknown>> {
  let factory: Factory;
  let url: () => Promise<string>;
  switch (name) {
    case 'jpeg':
      factory = (await import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs')).default;
      url = async () => (await import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm?url')).default;
      break;
    case 'jpegls':
      factory = (await import('@cornerstonejs/codec-charls/decodewasmjs')).default;
      url = async () => (await import('@cornerstonejs/codec-charls/decodewasm?url')).default;
      break;
    case 'j2k':
      factory = (await import('@cornerstonejs/codec-openjpeg/decodewasmjs')).default;
      url = async () => (await import('@cornerstonejs/codec-openjpeg/decodewasm?url')).default;
      break;
    case 'htj2k':
      factory = (await import('@cornerstonejs/codec-openjph/wasmjs')).default;
      url = async () => (await import('@cornerstonejs/codec-openjph/wasm?url')).default;
      break;
  }
  // OpenJPEG logs every header it reads; keep the console for real problems.
  if (isNode) return factory({ print: quiet, printErr: quiet });
  const wasmUrl = await url();
  return factory({ locateFile: (path) => (path.endsWith('.wasm') ? wasmUrl : path), print: quiet, printErr: quiet });
}

const CLASS: Record<CodecName, string> = { jpeg: 'JPEGDecoder', jpegls: 'JpegLSDecoder', j2k: 'J2KDecoder', htj2k: 'HTJ2KDecoder' };
const LABEL: Record<CodecName, string> = { jpeg: 'JPEG', jpegls: 'JPEG-LS', j2k: 'JPEG 2000', htj2k: 'HTJ2K' };
const cache = new Map<CodecName, Promise<Record<string, unknown>>>();

function module(name: CodecName): Promise<Record<string, unknown>> {
  let p = cache.get(name);
  if (!p) {
    p = load(name);
    cache.set(name, p);
    p.catch(() => cache.delete(name));
  }
  return p;
}

/** Loads codecs ahead of need (e.g. while the app is idle), so the first compressed file decodes at full speed. */
export async function preloadCodecs(names: CodecName[] = ['jpeg', 'jpegls', 'j2k', 'htj2k']): Promise<void> {
  await Promise.all(names.map((n) => module(n)));
}

function describe(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  return 'the decoder rejected the data';
}

/** Decodes one compressed frame; returns the raw sample bytes (copied out of the WASM heap) and frame info. */
export async function decodeWithCodec(name: CodecName, encoded: Uint8Array): Promise<{ info: FrameInfo; bytes: Uint8Array }> {
  let mod: Record<string, unknown>;
  try {
    mod = await module(name);
  } catch (e) {
    throw new ScanReadError(`The ${LABEL[name]} decoder could not be loaded: ${describe(e)}.`, 'unsupported');
  }
  const Ctor = mod[CLASS[name]] as new () => WasmDecoder;
  const decoder = new Ctor();
  try {
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    decoder.decode();
    const info = decoder.getFrameInfo();
    if (!info.width || !info.height) throw new Error('it decodes to no pixels');
    // Copy with this realm's constructor: the heap view comes from the codec's own module scope.
    const bytes = new Uint8Array(decoder.getDecodedBuffer());
    return { info: { ...info }, bytes };
  } catch (e) {
    // An aborted Emscripten module is unusable afterwards: load a fresh one next time.
    cache.delete(name);
    throw new ScanReadError(`The ${LABEL[name]} compressed image data is corrupt (${describe(e)}).`, 'corrupt');
  } finally {
    try {
      decoder.delete();
    } catch {
      cache.delete(name);
    }
  }
}
