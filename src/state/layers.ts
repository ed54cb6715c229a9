// Extra canvas layers drawn over the scan (masks, overlays). Each entry holds a canvas by reference and a
// version counter: bump `version` after drawing into the canvas and the viewer redraws that layer only.
// A layer edited in place frame after frame (`touch`) becomes `live`: the viewer draws it on a Konva layer
// of its own, so a touch redraws that one image, not every full-size mask (viewer/maskGroups.ts).
// Mask pixels never go in the store (docs/ARCHITECTURE.md "Layers": state/).
import { create } from 'zustand';

export interface MaskLayer {
  id: string;
  /** A canvas its owner draws into, or a finished bitmap (a run's overlay made in the mask worker). */
  canvas: HTMLCanvasElement | OffscreenCanvas | ImageBitmap;
  visible: boolean;
  /** 0..1 */
  opacity: number;
  version: number;
  /** Draw order, lower first; default 0. */
  z?: number;
  /** Edited in place often (set by `touch`, or by the owner): drawn on its own Konva layer. */
  live?: boolean;
}

interface LayersState {
  layers: MaskLayer[];
  /** Adds or replaces the layer with the same id. */
  upsert(layer: MaskLayer): void;
  update(id: string, patch: Partial<Omit<MaskLayer, 'id'>>): void;
  /** Increments the version so the viewer redraws this layer (and marks it `live`). Call it at most
   *  once per animation frame: a live layer is redrawn at once, not batched. */
  touch(id: string): void;
  remove(id: string): void;
  clear(): void;
}

export const useLayers = create<LayersState>((set) => ({
  layers: [],
  upsert: (layer) => set((s) => ({ layers: [...s.layers.filter((l) => l.id !== layer.id), layer] })),
  update: (id, patch) => set((s) => ({ layers: s.layers.map((l) => (l.id === id ? { ...l, ...patch } : l)) })),
  touch: (id) => set((s) => ({ layers: s.layers.map((l) => (l.id === id ? { ...l, version: l.version + 1, live: true } : l)) })),
  remove: (id) => set((s) => ({ layers: s.layers.filter((l) => l.id !== id) })),
  clear: () => set({ layers: [] }),
}));
