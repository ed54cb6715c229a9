// Size limits and cancellation checks shared by every reader: refuse a declared size before allocating.
import { ScanReadError } from './types';

export interface ReadOptions {
  /** Most pixels allowed in one frame (default 64 Mpx). */
  maxPixels?: number;
  /** Most bytes allowed for the decoded pixels of the whole scan (default 1 GiB). */
  maxBytes?: number;
  signal?: AbortSignal;
  /** Told the decoded size a header declares, once checked and before decoding (time limits follow it). */
  onDeclared?: (d: { bytes: number; width: number; height: number; frames: number }) => void;
  /** Told how far a long decode has come, as a fraction in [0, 1] (inflated bytes, decoded frames). */
  onProgress?: (fraction: number) => void;
}

export const DEFAULT_MAX_PIXELS = 64 * 1024 * 1024;
export const DEFAULT_MAX_BYTES = 1024 * 1024 * 1024;

export interface Limits {
  maxPixels: number;
  maxBytes: number;
  signal?: AbortSignal;
  onDeclared?: ReadOptions['onDeclared'];
  onProgress?: ReadOptions['onProgress'];
}

export function limitsOf(opts: ReadOptions = {}): Limits {
  return {
    maxPixels: opts.maxPixels ?? DEFAULT_MAX_PIXELS,
    maxBytes: opts.maxBytes ?? DEFAULT_MAX_BYTES,
    signal: opts.signal,
    onDeclared: opts.onDeclared,
    onProgress: opts.onProgress,
  };
}

const isDim = (n: number): boolean => Number.isInteger(n) && n > 0;

/**
 * Checks declared dimensions: positive integers, frame within maxPixels, whole scan within maxBytes.
 * `what` names the format in messages ("PNG", "DICOM"...).
 */
export function checkDims(
  what: string,
  width: number,
  height: number,
  frames: number,
  bytesPerPixel: number,
  limits: Limits,
): void {
  if (!isDim(width) || !isDim(height) || !isDim(frames)) {
    throw new ScanReadError(
      `The ${what} header declares an impossible size (${width} x ${height}${frames !== 1 ? ` x ${frames} frames` : ''}); the file is corrupt.`,
      'corrupt',
    );
  }
  const px = width * height;
  if (px > limits.maxPixels) {
    throw new ScanReadError(
      `The ${what} image is ${width} x ${height} pixels (${(px / 1e6).toFixed(1)} Mpx), more than the ${(limits.maxPixels / 1e6).toFixed(0)} Mpx limit per frame.`,
      'too-large',
    );
  }
  const bytes = px * frames * bytesPerPixel;
  if (bytes > limits.maxBytes) {
    throw new ScanReadError(
      `The ${what} scan would need ${(bytes / 2 ** 30).toFixed(2)} GiB of memory (${width} x ${height} x ${frames} frames), more than the ${(limits.maxBytes / 2 ** 30).toFixed(2)} GiB limit.`,
      'too-large',
    );
  }
  limits.onDeclared?.({ bytes, width, height, frames });
}

export function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) {
    throw signal.reason instanceof Error ? signal.reason : new DOMException('Reading the scan was cancelled.', 'AbortError');
  }
}
