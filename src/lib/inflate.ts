// Bounded inflate/gunzip over fflate: stops once enough output exists and refuses output past a cap,
// so a small hostile archive cannot expand into gigabytes (a "zip bomb") before anyone checks a header.
import { Gunzip, Inflate, Unzlib } from 'fflate';

export interface BoundedInflateOptions {
  /** 'gzip' (1f 8b header), 'zlib' (2-byte header) or 'raw' deflate. */
  container: 'gzip' | 'zlib' | 'raw';
  /** Stop (successfully) once this many bytes are out; the result may be shorter if the stream ends first. */
  want?: number;
  /** Throw when the output would exceed this many bytes. */
  maxBytes: number;
  /** With `want` known: told the fraction of it inflated so far, every 4 MiB of output. */
  onProgress?: (fraction: number) => void;
}

export class InflateLimitError extends Error {
  constructor(readonly limit: number) {
    super(`decompressed data exceeds ${limit} bytes`);
    this.name = 'InflateLimitError';
  }
}

const CHUNK = 1 << 14;

/** Inflates `input`; returns the output (possibly truncated to `want`) and whether the stream ended. */
export function inflateBounded(input: Uint8Array, opts: BoundedInflateOptions): { data: Uint8Array; ended: boolean } {
  const want = opts.want ?? Infinity;
  if (want !== Infinity && want > opts.maxBytes) throw new InflateLimitError(opts.maxBytes);
  // With a known size, write straight into one buffer (no second copy of a large volume).
  const pre = want !== Infinity ? new Uint8Array(want) : undefined;
  const parts: Uint8Array[] = [];
  let total = 0;
  let ended = false;
  const PROGRESS_STEP = 4 * 2 ** 20;
  let nextProgress = PROGRESS_STEP;
  const onData = (chunk: Uint8Array, final: boolean): void => {
    if (chunk.length) {
      if (pre) {
        if (total < want) pre.set(chunk.subarray(0, Math.min(chunk.length, want - total)), total);
      } else parts.push(chunk);
      total += chunk.length;
      if (pre && opts.onProgress && total >= nextProgress) {
        nextProgress = total + PROGRESS_STEP;
        opts.onProgress(Math.min(1, total / want));
      }
      // Past the cap and still wanting more: give up now rather than buffering a bomb.
      if (!pre && total > opts.maxBytes) throw new InflateLimitError(opts.maxBytes);
    }
    if (final) ended = true;
  };
  const stream =
    opts.container === 'gzip' ? new Gunzip({}, onData) : opts.container === 'zlib' ? new Unzlib({}, onData) : new Inflate({}, onData);
  // Deflate expands at most ~1032:1, so feed input in steps sized to what is still wanted: reading a
  // 540-byte header from a highly compressed file then costs kilobytes of work, not megabytes.
  for (let off = 0; off < input.length && !ended && total < want; ) {
    const step = want === Infinity ? CHUNK : Math.min(CHUNK, Math.max(256, Math.ceil((want - total) / 1024) + 256));
    const end = Math.min(input.length, off + step);
    stream.push(input.subarray(off, end), end === input.length);
    off = end;
  }
  if (pre) return { data: total >= want ? pre : pre.subarray(0, total), ended };
  const out = new Uint8Array(total);
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return { data: out, ended };
}
