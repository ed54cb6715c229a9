// How the viewer spreads the mask layers (state/layers) over Konva layers. A Konva layer redraws all its
// images when one changes, and each image is a full-size mask scaled to the view, so: consecutive static
// layers (runs, reference: redrawn whole now and then) share one Konva layer, and every `live` layer
// (edited in place frame after frame, e.g. the correction) gets its own, so a touch redraws that image only.
// Draw order is the layers' `z` order (ties: store order) across all groups.
import type { MaskLayer } from '../state/layers';

export interface MaskGroup {
  /** Stable React key: `live:<id>` or `static:<n>` (n-th static group, bottom up). */
  key: string;
  live: boolean;
  layers: MaskLayer[];
}

export function groupMaskLayers(layers: readonly MaskLayer[]): MaskGroup[] {
  const sorted = [...layers].sort((a, b) => (a.z ?? 0) - (b.z ?? 0));
  const groups: MaskGroup[] = [];
  let statics = 0;
  for (const l of sorted) {
    const last = groups[groups.length - 1];
    if (l.live) groups.push({ key: `live:${l.id}`, live: true, layers: [l] });
    else if (last && !last.live) last.layers.push(l);
    else groups.push({ key: `static:${statics++}`, live: false, layers: [l] });
  }
  return groups;
}
