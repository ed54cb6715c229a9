// Undo history as bounding-box patches. A shadow copy holds the mask as of the last commit, so a
// gesture costs nothing up front: commit diffs the gesture's dirty rectangle against the shadow,
// cancel copies the shadow back. One gesture = one step (begin on pointer-down, commit on pointer-up).
import type { Mask, Rect } from './types';
import { clipRect, emptyRect, isEmptyRect, unionRect } from './types';

export interface Patch {
  rect: Rect;
  before: Uint8Array;
  after: Uint8Array;
}

function readRect(data: Uint8Array, width: number, r: Rect): Uint8Array {
  const w = r.x1 - r.x0;
  const out = new Uint8Array(w * (r.y1 - r.y0));
  for (let y = r.y0; y < r.y1; y++) out.set(data.subarray(y * width + r.x0, y * width + r.x1), (y - r.y0) * w);
  return out;
}

function writeRect(data: Uint8Array, width: number, r: Rect, src: Uint8Array): void {
  const w = r.x1 - r.x0;
  for (let y = r.y0; y < r.y1; y++) data.set(src.subarray((y - r.y0) * w, (y - r.y0 + 1) * w), y * width + r.x0);
}

export class MaskHistory {
  private readonly shadow: Uint8Array;
  private undoStack: Patch[] = [];
  private redoStack: Patch[] = [];
  private gesture: Rect | null = null;

  constructor(
    readonly mask: Mask,
    readonly limit = 200,
  ) {
    this.shadow = mask.data.slice();
  }

  get inGesture(): boolean {
    return this.gesture !== null;
  }
  get undoDepth(): number {
    return this.undoStack.length;
  }
  get redoDepth(): number {
    return this.redoStack.length;
  }

  /** Pointer-down: start collecting dirty rectangles. */
  begin(): void {
    if (this.gesture) this.cancel();
    this.gesture = emptyRect();
  }

  /** Record that the current gesture changed pixels inside `r`. */
  touch(r: Rect): void {
    if (!this.gesture || isEmptyRect(r)) return;
    this.gesture = unionRect(this.gesture, clipRect(r, this.mask.width, this.mask.height));
  }

  /** Pointer-up: store one patch (skipped when nothing changed). Returns the patch's rectangle. */
  commit(): Rect | null {
    const r = this.gesture;
    this.gesture = null;
    if (!r || isEmptyRect(r)) return null;
    const before = readRect(this.shadow, this.mask.width, r);
    const after = readRect(this.mask.data, this.mask.width, r);
    let changed = false;
    for (let i = 0; i < before.length; i++) {
      if (before[i] !== after[i]) {
        changed = true;
        break;
      }
    }
    if (!changed) return null;
    writeRect(this.shadow, this.mask.width, r, after);
    this.undoStack.push({ rect: r, before, after });
    if (this.undoStack.length > this.limit) this.undoStack.shift();
    this.redoStack = [];
    return r;
  }

  /** Cancel: restore what the gesture changed. Returns the rectangle to redraw. */
  cancel(): Rect | null {
    const r = this.gesture;
    this.gesture = null;
    if (!r || isEmptyRect(r)) return null;
    writeRect(this.mask.data, this.mask.width, r, readRect(this.shadow, this.mask.width, r));
    return r;
  }

  undo(): Rect | null {
    if (this.gesture) this.cancel();
    const p = this.undoStack.pop();
    if (!p) return null;
    writeRect(this.mask.data, this.mask.width, p.rect, p.before);
    writeRect(this.shadow, this.mask.width, p.rect, p.before);
    this.redoStack.push(p);
    return p.rect;
  }

  redo(): Rect | null {
    if (this.gesture) this.cancel();
    const p = this.redoStack.pop();
    if (!p) return null;
    writeRect(this.mask.data, this.mask.width, p.rect, p.after);
    writeRect(this.shadow, this.mask.width, p.rect, p.after);
    this.undoStack.push(p);
    return p.rect;
  }

  /** The undoable steps, oldest first (read-only view). */
  get steps(): readonly Patch[] {
    return this.undoStack;
  }

  /**
   * Re-apply steps recorded on another mask of the same size on top of this one, each as one undoable
   * step here: only the pixels a step changed (before != after) are written, so strokes painted on a
   * different base keep their effect and leave the rest of this mask as it is. Returns the rectangle to
   * redraw.
   */
  replay(steps: readonly Patch[]): Rect | null {
    const W = this.mask.width;
    const d = this.mask.data;
    let all = emptyRect();
    for (const p of steps) {
      const { x0, y0, x1, y1 } = p.rect;
      if (x1 > W || y1 > this.mask.height) throw new Error('replayed step lies outside the mask');
      const w = x1 - x0;
      this.begin();
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const i = (y - y0) * w + (x - x0);
          if (p.before[i] !== p.after[i]) d[y * W + x] = p.after[i];
        }
      }
      this.touch(p.rect);
      const r = this.commit();
      if (r) all = unionRect(all, r);
    }
    return isEmptyRect(all) ? null : all;
  }

  /** Replace the whole mask (e.g. "start from run X") as one undoable step. */
  replaceAll(data: Uint8Array): Rect | null {
    if (data.length !== this.mask.data.length) throw new Error('replacement mask has the wrong size');
    this.begin();
    this.mask.data.set(data);
    this.touch({ x0: 0, y0: 0, x1: this.mask.width, y1: this.mask.height });
    return this.commit();
  }
}
