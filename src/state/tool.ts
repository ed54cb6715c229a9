// Settings of the correction tools (brush size, flood-fill budget) and the correction session's
// version counter. The mask pixels themselves live in the session (src/tools/session.ts), never here.
import { create } from 'zustand';

export const MIN_BRUSH = 1;
export const MAX_BRUSH = 256;

export interface ToolSettingsState {
  /** Brush diameter: in mm on a scan that records its pixel spacing (round in mm), in image pixels otherwise
   *  (brushPixelSize in ui/correction/BrushOverlay.tsx says which). */
  brushSize: number;
  /** Largest region a single flood fill may change (pixels). */
  floodLimit: number;
  /** Fill by similar image intensity (magic wand), or the area enclosed by the mask's outline. */
  fillMode: 'intensity' | 'outline';
  /** Intensity fill: how far (grey levels of the displayed image, 0-255) a pixel may differ from the clicked one. */
  fillTolerance: number;
  setFill(patch: Partial<Pick<ToolSettingsState, 'fillMode' | 'fillTolerance'>>): void;
  /** Bumped whenever the correction mask changes (paint, undo, redo, load). */
  maskVersion: number;
  undoDepth: number;
  redoDepth: number;
  /** Bumped when a corrected version is accepted (the versions list refetches). */
  versionsTick: number;
  /** The version number the last Accept saved on the open scan frame, or null. */
  lastAccepted: number | null;
  setLastAccepted(v: number | null): void;
  setBrushSize(size: number): void;
  growBrush(factor: number): void;
  bumpMask(undoDepth: number, redoDepth: number): void;
  bumpVersions(): void;
}

const clampSize = (n: number): number => Math.max(MIN_BRUSH, Math.min(MAX_BRUSH, Math.round(n)));

/**
 * The brush size after the open scan changes from one with pixel size `from` (mm per pixel, null: a plain
 * image, size in pixels) to one with `to`: kept between two scans of the same unit (mm stay mm: the same
 * physical brush), converted at the pixel size where the unit changes, so the brush keeps its size in
 * pixels then (a 20-pixel brush becomes 6 mm on 0.3125 mm pixels, not 20 mm = the whole 64-pixel image).
 */
export function convertBrushSize(size: number, from: { x: number; y: number } | null, to: { x: number; y: number } | null): number {
  if (!from === !to) return size;
  if (to) return clampSize(size * ((to.x + to.y) / 2));
  return clampSize(size / ((from!.x + from!.y) / 2));
}

export const useToolSettings = create<ToolSettingsState>((set) => ({
  brushSize: 20,
  floodLimit: 16_000_000,
  fillMode: 'intensity',
  fillTolerance: 24,
  setFill: (patch) => set(patch),
  maskVersion: 0,
  undoDepth: 0,
  redoDepth: 0,
  versionsTick: 0,
  lastAccepted: null,
  setLastAccepted: (lastAccepted) => set({ lastAccepted }),
  setBrushSize: (size) => set({ brushSize: clampSize(size) }),
  growBrush: (factor) =>
    set((s) => {
      const next = clampSize(s.brushSize * factor);
      // always move by at least one pixel so small brushes still change with [ and ]
      return { brushSize: next === s.brushSize ? clampSize(s.brushSize + Math.sign(factor - 1)) : next };
    }),
  bumpMask: (undoDepth, redoDepth) => set((s) => ({ maskVersion: s.maskVersion + 1, undoDepth, redoDepth })),
  bumpVersions: () => set((s) => ({ versionsTick: s.versionsTick + 1 })),
}));
