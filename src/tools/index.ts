// The correction tools as one set, wired to the active session and the tool settings store. The app
// registers these with the tool registry (state/tools) through registerCorrectionTools.
import type { ComponentType } from 'react';
import type { Tool } from '../state/tools';
import { useTools } from '../state/tools';
import { useToolSettings } from '../state/tool';
import { useView } from '../state/view';
import type { Point } from '../mask/types';
import { createBrush, createEraser } from './brush';
import { createLasso } from './lasso';
import { createFloodFill } from './fill';
import { createPan } from './pan';
import { getSession as activeSession, type CorrectionSession } from './session';

export { CorrectionSession, getSession, setSession, onSession } from './session';
export type { ChangeKind, ChangeListener } from './session';

export interface CorrectionToolDeps {
  onLassoPreview?(points: readonly Point[]): void;
  /** Viewer overlay for the lasso preview. */
  lassoOverlay?: ComponentType<{ scale: number }>;
  onFillTooLarge?(): void;
  /** One fill added most of the image (fraction 0-1). */
  onLargeFill?(fraction: number): void;
  /** The open frame as displayed, one grey byte per pixel, for the intensity fill. */
  getImage?(): Uint8Array | null;
  /** Include the pan tool (skip it when the viewer provides its own). */
  pan?: boolean;
  /** CSS cursor for the brush and eraser. */
  brushCursor?: () => string;
  /** Millimetres per pixel of the open scan when it records its spacing (brush size in mm), else null. */
  brushPixelSize?: () => { x: number; y: number } | null;
  /** Viewer overlay for the brush and eraser (a ring of the brush size). */
  brushOverlay?: ComponentType<{ scale: number }>;
  /** Session accessor; defaults to the active session (may create one on demand). */
  getSession?: () => CorrectionSession | null;
}

export function createCorrectionTools(deps: CorrectionToolDeps = {}): Tool[] {
  const getSize = (): number => useToolSettings.getState().brushSize;
  const getSession = deps.getSession ?? activeSession;
  const tools: Tool[] = [
    createBrush({ id: 'brush', label: 'Brush', key: 'b', value: 1, getSession, getSize, getPixelSize: deps.brushPixelSize, getCursor: deps.brushCursor, Overlay: deps.brushOverlay }),
    createEraser({ getSession, getSize, getPixelSize: deps.brushPixelSize, getCursor: deps.brushCursor, Overlay: deps.brushOverlay }),
    createLasso({ id: 'lasso-fill', label: 'Polygon fill', key: 'g', value: 1, getSession, onPreview: deps.onLassoPreview, Overlay: deps.lassoOverlay }),
    createLasso({ id: 'lasso-cut', label: 'Lasso cut', key: 'x', value: 0, getSession, onPreview: deps.onLassoPreview, Overlay: deps.lassoOverlay }),
    createFloodFill({
      getSession,
      getLimit: () => useToolSettings.getState().floodLimit,
      onTooLarge: deps.onFillTooLarge,
      getMode: () => useToolSettings.getState().fillMode,
      getTolerance: () => useToolSettings.getState().fillTolerance,
      getImage: deps.getImage,
      onLargeFill: deps.onLargeFill,
    }),
  ];
  if (deps.pan) {
    tools.push(
      createPan({
        get: () => useView.getState().transform,
        set: (t) => useView.getState().setTransform(t),
      }),
    );
  }
  return tools;
}

/** Register the tools; returns a function that unregisters them. */
export function registerCorrectionTools(deps: CorrectionToolDeps = {}): () => void {
  const { register } = useTools.getState();
  const offs = createCorrectionTools(deps).map((t) => register(t));
  return () => offs.forEach((off) => off());
}
