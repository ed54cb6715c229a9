// Connected components (two-pass union-find labelling), used for the "number" prompt attribute.
import type { Mask } from './types';

export interface Component {
  label: number;
  area: number;
  /** Centroid in pixel-centre coordinates. */
  cx: number;
  cy: number;
  bbox: { x0: number; y0: number; x1: number; y1: number };
}

export interface Labelling {
  labels: Int32Array;
  components: Component[];
}

function find(parent: Int32Array, a: number): number {
  while (parent[a] !== a) {
    parent[a] = parent[parent[a]];
    a = parent[a];
  }
  return a;
}

export function connectedComponents(mask: Mask, connectivity: 4 | 8 = 8): Labelling {
  const { width, height, data } = mask;
  const labels = new Int32Array(width * height);
  const parent = new Int32Array(width * height + 1);
  let next = 1;
  // union of the current label with a neighbour's, keeping the smaller root
  const join = (a: number, b: number): number => {
    if (!b) return a;
    const rb = find(parent, b);
    if (!a) return rb;
    const ra = find(parent, a);
    if (ra === rb) return ra;
    const lo = ra < rb ? ra : rb;
    parent[ra < rb ? rb : ra] = lo;
    return lo;
  };
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      if (data[i] === 0) continue;
      let root = x > 0 ? labels[i - 1] : 0;
      if (root) root = find(parent, root);
      if (y > 0) {
        root = join(root, labels[i - width]);
        if (connectivity === 8) {
          if (x > 0) root = join(root, labels[i - width - 1]);
          if (x + 1 < width) root = join(root, labels[i - width + 1]);
        }
      }
      if (!root) {
        parent[next] = next;
        root = next++;
      }
      labels[i] = root;
    }
  }
  const remap = new Int32Array(next);
  const comps: Component[] = [];
  for (let i = 0; i < labels.length; i++) {
    if (!labels[i]) continue;
    const r = find(parent, labels[i]);
    if (!remap[r]) {
      remap[r] = comps.length + 1;
      comps.push({ label: comps.length + 1, area: 0, cx: 0, cy: 0, bbox: { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity } });
    }
    const c = comps[remap[r] - 1];
    const x = i % width;
    const y = (i - x) / width;
    labels[i] = c.label;
    c.area++;
    c.cx += x + 0.5;
    c.cy += y + 0.5;
    if (x < c.bbox.x0) c.bbox.x0 = x;
    if (y < c.bbox.y0) c.bbox.y0 = y;
    if (x + 1 > c.bbox.x1) c.bbox.x1 = x + 1;
    if (y + 1 > c.bbox.y1) c.bbox.y1 = y + 1;
  }
  for (const c of comps) {
    c.cx /= c.area;
    c.cy /= c.area;
  }
  return { labels, components: comps };
}
