// Draws runs and the correction mask into the canvases of the viewer's mask layers (state/layers).
// Runs redraw whole (threshold/mode change); the correction redraws only dirty rectangles.
import type { Mask, Rect } from '../../mask/types';
import { fullRect } from '../../mask/types';
import { contourThickness, hexToRgb, renderBinary, renderContour, renderHeatmap, type Rgb } from '../../mask/render';
import { useLayers } from '../../state/layers';
import { DIM_FACTOR, referencePixels, runPixels, useRuns, type RunView } from '../../state/runs';

export const runLayerId = (runId: string): string => `run:${runId}`;
const canvases = new Map<string, HTMLCanvasElement>();

export function layerCanvas(id: string, width: number, height: number): HTMLCanvasElement {
  let c = canvases.get(id);
  if (!c || c.width !== width || c.height !== height) {
    c = document.createElement('canvas');
    c.width = width;
    c.height = height;
    canvases.set(id, c);
  }
  return c;
}

export function dropLayerCanvas(id: string): void {
  canvases.delete(id);
  useLayers.getState().remove(id);
}

/** Put RGBA pixels for `rect` into the canvas (only that rectangle is touched). */
export function blit(canvas: HTMLCanvasElement, rect: Rect, rgba: Uint8ClampedArray): void {
  const w = rect.x1 - rect.x0;
  const h = rect.y1 - rect.y0;
  if (w <= 0 || h <= 0) return;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, w, h), rect.x0, rect.y0);
}

export function isShown(run: RunView, soloId: string | null): boolean {
  return soloId ? run.id === soloId : run.visible;
}

/** A run's opacity on screen: faint while a correction is being edited. */
export const shownOpacity = (run: RunView, dimmed = useRuns.getState().dimmed): number => (dimmed ? run.opacity * DIM_FACTOR : run.opacity);

/** Full redraw of a run's layer from its pixels and display settings; `binary` is the run's binary
 *  overlay already rendered elsewhere (the mask worker: RGBA, or an ImageBitmap that becomes the layer's
 *  image as it is), used when the run is shown as a binary mask. */
export function drawRun(run: RunView, binary?: Uint8ClampedArray<ArrayBuffer> | ImageBitmap): void {
  const px = runPixels.get(run.id);
  if (!px) return;
  const id = runLayerId(run.id);
  const bitmap = binary && !(binary instanceof Uint8ClampedArray) ? binary : null;
  if (run.mode === 'binary' && bitmap && bitmap.width === px.width && bitmap.height === px.height) {
    upsertRunLayer(run, id, bitmap);
    return;
  }
  const canvas = layerCanvas(id, px.width, px.height);
  const mask: Mask = { width: px.width, height: px.height, data: px.mask };
  const rect = fullRect(mask);
  const rgb = hexToRgb(run.colour);
  const rgba =
    run.mode === 'heatmap'
      ? renderHeatmap(px.probs, px.width, rect, rgb)
      : run.mode === 'contour'
        ? renderContour(mask, rect, rgb, contourThickness(px.width, px.height))
        : binary instanceof Uint8ClampedArray && binary.length === px.width * px.height * 4
          ? binary
          : renderBinary(mask, rect, rgb);
  blit(canvas, rect, rgba);
  upsertRunLayer(run, id, canvas);
}

function upsertRunLayer(run: RunView, id: string, canvas: HTMLCanvasElement | ImageBitmap): void {
  const { soloId } = useRuns.getState();
  const existing = useLayers.getState().layers.find((l) => l.id === id);
  useLayers.getState().upsert({
    id, canvas, visible: isShown(run, soloId), opacity: shownOpacity(run), version: (existing?.version ?? 0) + 1, z: 1,
  });
}

export const REFERENCE_LAYER = 'reference';
const REFERENCE_RGB = [255, 255, 255] as const;

export const referenceOutline = (): { rgb: Rgb; thickness: (width: number, height: number) => number } => ({ rgb: [...REFERENCE_RGB], thickness: contourThickness });

/** The reference as a white outline over the scan (redrawn when the reference changes); `outline`: one
 *  already made (by the mask worker) for the current reference pixels, used as the layer's image. */
export function drawReference(outline?: ImageBitmap | Uint8ClampedArray<ArrayBuffer>): void {
  const ref = referencePixels.current;
  if (!ref) {
    dropLayerCanvas(REFERENCE_LAYER);
    return;
  }
  let canvas: HTMLCanvasElement | ImageBitmap;
  if (outline && !(outline instanceof Uint8ClampedArray) && outline.width === ref.width && outline.height === ref.height) canvas = outline;
  else {
    canvas = layerCanvas(REFERENCE_LAYER, ref.width, ref.height);
    const rect = fullRect(ref);
    blit(canvas, rect, outline instanceof Uint8ClampedArray && outline.length === ref.width * ref.height * 4 ? outline : renderContour(ref, rect, REFERENCE_RGB, contourThickness(ref.width, ref.height)));
  }
  const existing = useLayers.getState().layers.find((l) => l.id === REFERENCE_LAYER);
  useLayers.getState().upsert({
    id: REFERENCE_LAYER, canvas, visible: useRuns.getState().showReference, opacity: 0.9, version: (existing?.version ?? 0) + 1, z: 5,
  });
}

/** Visibility/opacity only (no pixel work). */
export function syncRunLayers(): void {
  const { runs, soloId, showReference, dimmed } = useRuns.getState();
  const layers = useLayers.getState();
  const ref = layers.layers.find((l) => l.id === REFERENCE_LAYER);
  if (ref && ref.visible !== showReference) layers.update(REFERENCE_LAYER, { visible: showReference });
  for (const r of runs) {
    const id = runLayerId(r.id);
    const l = layers.layers.find((x) => x.id === id);
    const opacity = shownOpacity(r, dimmed);
    if (l && (l.visible !== isShown(r, soloId) || l.opacity !== opacity)) layers.update(id, { visible: isShown(r, soloId), opacity });
  }
}

export function clearRunLayers(): void {
  for (const id of [...canvases.keys()]) if (id.startsWith('run:') || id === REFERENCE_LAYER) dropLayerCanvas(id);
}
