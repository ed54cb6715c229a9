// View state of the canvas: transform (zoom/pan), current frame, window/level, cursor read-out.
// Transforms live here so the status bar and tools can read them; the scan layer only redraws when
// frame or window changes (see viewer/ScanLayer).
import { create } from 'zustand';
import type { WindowLevel } from '../scan/types';

export interface ViewTransform {
  /** Screen pixels per display unit (per image pixel when there is no orientation). */
  scale: number;
  /** Screen position of display point (0,0). */
  x: number;
  y: number;
  /**
   * Image -> display mapping [a, b, c, d, e, f] (u = a x + c y + e, v = b x + d y + f): the flip/transpose
   * and voxel aspect that show a volume in radiological orientation (scan/volume/orientation.ts).
   * Absent: identity.
   */
  o?: [number, number, number, number, number, number];
}

export interface CursorInfo {
  x: number;
  y: number;
  /** Pixel value(s) at the cursor, already formatted; null outside the image. */
  value: string | null;
}

export interface ViewState {
  transform: ViewTransform;
  frame: number;
  window: WindowLevel;
  /** Name of the window preset in use, e.g. 'file', 'auto', 'ct-lung', or 'custom' after a drag. */
  windowPreset: string;
  cursor: CursorInfo | null;
  /** Bumped to ask the viewer to fit the scan to the canvas. */
  fitRequest: number;
  /** Size of the canvas area in CSS pixels. */
  viewport: { w: number; h: number };
  /** Display the scan inverted (negative), as radiologists toggle with `i`; pixels and masks unchanged. */
  invert: boolean;
  toggleInvert(): void;
  setViewport(w: number, h: number): void;
  setTransform(t: ViewTransform): void;
  setFrame(frame: number): void;
  setWindow(w: WindowLevel, preset: string): void;
  setCursor(c: CursorInfo | null): void;
  requestFit(): void;
  reset(window: WindowLevel, frame?: number): void;
}

export const useView = create<ViewState>((set) => ({
  transform: { scale: 1, x: 0, y: 0 },
  frame: 0,
  window: { center: 127.5, width: 255 },
  windowPreset: 'file',
  cursor: null,
  fitRequest: 0,
  viewport: { w: 0, h: 0 },
  invert: false,
  toggleInvert: () => set((s) => ({ invert: !s.invert })),
  setViewport: (w, h) => set({ viewport: { w, h } }),
  setTransform: (transform) => set({ transform }),
  setFrame: (frame) => set({ frame }),
  setWindow: (window, windowPreset) => set({ window, windowPreset }),
  setCursor: (cursor) => set({ cursor }),
  requestFit: () => set((s) => ({ fitRequest: s.fitRequest + 1 })),
  reset: (window, frame = 0) =>
    set((s) => ({ window, windowPreset: 'file', frame, cursor: null, invert: false, fitRequest: s.fitRequest + 1 })),
}));
