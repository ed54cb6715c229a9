// Extra canvas layers drawn over the scan (masks, overlays). Each entry holds a canvas by reference and a
// version counter: bump `version` after drawing into the canvas and the viewer redraws that layer only.
// Mask pixels never go in the store (DESIGN.md "state/").
import { create } from 'zustand';

export interface MaskLayer {
  id: string;
  canvas: HTMLCanvasElement | OffscreenCanvas;
  visible: boolean;
  /** 0..1 */
  opacity: number;
  version: number;
  /** Draw order, lower first; default 0. */
  z?: number;
}

interface LayersState {
  layers: MaskLayer[];
  /** Adds or replaces the layer with the same id. */
  upsert(layer: MaskLayer): void;
  update(id: string, patch: Partial<Omit<MaskLayer, 'id'>>): void;
  /** Increments the version so the viewer redraws this layer. */
  touch(id: string): void;
  remove(id: string): void;
  clear(): void;
}

export const useLayers = create<LayersState>((set) => ({
  layers: [],
  upsert: (layer) => set((s) => ({ layers: [...s.layers.filter((l) => l.id !== layer.id), layer] })),
  update: (id, patch) => set((s) => ({ layers: s.layers.map((l) => (l.id === id ? { ...l, ...patch } : l)) })),
  touch: (id) => set((s) => ({ layers: s.layers.map((l) => (l.id === id ? { ...l, version: l.version + 1 } : l)) })),
  remove: (id) => set((s) => ({ layers: s.layers.filter((l) => l.id !== id) })),
  clear: () => set({ layers: [] }),
}));
