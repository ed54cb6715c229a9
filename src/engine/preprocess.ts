// Scan -> pixel_values exactly as the Python toolchain prepares training images: one frame to 8-bit RGB
// (stored 8-bit RGB as is; DICOM/NIfTI/16-bit through the scan's current window/level, truncating like
// numpy's astype(uint8); greyscale replicated to RGB; alpha dropped like PIL convert('RGB')), PIL-bilinear
// resize (stretch or letterbox), then (v * scale - mean) / std into a planar float32 [1,3,H,W] buffer.
import type { Scan, WindowLevel } from '../scan/types';
import type { Manifest } from './manifest';
import { resizeBilinearPil } from './resize';

export interface PreprocessOptions {
  frame?: number;
  /** The viewer's current window; defaults to the scan's own. */
  window?: WindowLevel;
}

/** Where the scan lies inside the model input (letterbox), in model-input pixels. */
export interface InputBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Preprocessed {
  /** Planar float32 [1,3,H,W]. */
  pixelValues: Float32Array;
  dims: [1, 3, number, number];
  scanWidth: number;
  scanHeight: number;
  box: InputBox;
}

/** Where a scan sits in the model input, without its pixels: all a prompt needs once the image is encoded. */
export type InputGeometry = Omit<Preprocessed, 'pixelValues'>;

const IDENTITY: WindowLevel = { center: 128, width: 256 };

function isIdentity(scan: Scan, w: WindowLevel): boolean {
  return scan.dtype === 'uint8' && w.center === IDENTITY.center && w.width === IDENTITY.width;
}

/** Interleaved 8-bit RGB of one frame (length w*h*3). */
export function scanToRgb8(scan: Scan, options: PreprocessOptions = {}): Uint8Array {
  const { width, height, channels, data } = scan;
  const frame = Math.min(Math.max(0, options.frame ?? 0), scan.frames - 1);
  const n = width * height;
  const base = frame * n * channels;
  const win = options.window ?? scan.window;
  const identity = isIdentity(scan, win);
  const lo = win.center - win.width / 2;
  const span = Math.max(win.width, 1e-12);
  const invert = scan.photometric === 'MONOCHROME1';
  const to8 = (v: number): number => {
    let q = identity ? v : Math.trunc(Math.min(1, Math.max(0, (v - lo) / span)) * 255);
    if (!(q >= 0)) q = 0; // NaN
    return invert ? 255 - q : q;
  };
  if (identity && !invert && channels === 3) return data.subarray(base, base + n * 3) as Uint8Array;
  const out = new Uint8Array(n * 3);
  if (identity && !invert) {
    for (let i = 0; i < n; i++) {
      const s = base + i * channels;
      const g = data[s];
      out[i * 3] = g;
      out[i * 3 + 1] = channels === 1 ? g : data[s + 1];
      out[i * 3 + 2] = channels === 1 ? g : data[s + 2];
    }
    return out;
  }
  if (channels === 1) {
    for (let i = 0; i < n; i++) {
      const q = to8(data[base + i]);
      out[i * 3] = q;
      out[i * 3 + 1] = q;
      out[i * 3 + 2] = q;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const s = base + i * channels;
      out[i * 3] = to8(data[s]);
      out[i * 3 + 1] = to8(data[s + 1]);
      out[i * 3 + 2] = to8(data[s + 2]);
    }
  }
  return out;
}

/** PIL's RGB -> L (ITU-R 601-2 luma, 16-bit fixed point), replicated back to three channels. */
function lumaToRgb(rgb: Uint8Array): Uint8Array {
  const out = new Uint8Array(rgb.length);
  for (let i = 0; i < rgb.length; i += 3) {
    const l = (rgb[i] * 19595 + rgb[i + 1] * 38470 + rgb[i + 2] * 7471 + 0x8000) >>> 16;
    out[i] = out[i + 1] = out[i + 2] = l;
  }
  return out;
}

/** Resized 8-bit RGB at the model's input size plus the box it occupies (whole input for stretch). */
export function resizeForModel(
  rgb: Uint8Array,
  width: number,
  height: number,
  input: Manifest['input'],
): { rgb: Uint8Array; box: InputBox } {
  const [H, W] = input.size;
  if (input.resize === 'stretch') {
    return { rgb: resizeBilinearPil(rgb, width, height, 3, W, H), box: { x: 0, y: 0, width: W, height: H } };
  }
  const s = Math.min(W / width, H / height);
  const bw = Math.max(1, Math.round(width * s));
  const bh = Math.max(1, Math.round(height * s));
  return {
    rgb: resizeBilinearPil(rgb, width, height, 3, bw, bh),
    box: { x: Math.floor((W - bw) / 2), y: Math.floor((H - bh) / 2), width: bw, height: bh },
  };
}

/** Normalises resized RGB into planar float32; pixels outside the box stay 0 (letterbox padding). */
export function normalise(rgb: Uint8Array, box: InputBox, input: Manifest['input']): Float32Array {
  const [H, W] = input.size;
  const scale = input.scale ?? 1 / 255;
  const out = new Float32Array(3 * H * W);
  for (let c = 0; c < 3; c++) {
    const mean = input.mean[c];
    const std = input.std[c];
    const plane = c * H * W;
    for (let y = 0; y < box.height; y++) {
      const row = plane + (y + box.y) * W + box.x;
      const src = y * box.width * 3 + c;
      for (let x = 0; x < box.width; x++) out[row + x] = (rgb[src + x * 3] * scale - mean) / std;
    }
  }
  return out;
}

export function preprocess(scan: Scan, input: Manifest['input'], options: PreprocessOptions = {}): Preprocessed {
  let rgb = scanToRgb8(scan, options);
  if (input.colour === 'grey-to-rgb' && scan.channels !== 1) rgb = lumaToRgb(rgb);
  const resized = resizeForModel(rgb, scan.width, scan.height, input);
  const [H, W] = input.size;
  return {
    pixelValues: normalise(resized.rgb, resized.box, input),
    dims: [1, 3, H, W],
    scanWidth: scan.width,
    scanHeight: scan.height,
    box: resized.box,
  };
}
