// The correction session: the mask being edited, its undo history and change listeners. Tools write
// into it; the correction panel renders dirty rectangles and autosaves. One session at a time.
import type { Mask, Rect } from '../mask/types';
import { createMask, isEmptyRect } from '../mask/types';
import { MaskHistory } from '../mask/history';

export type ChangeKind = 'stroke' | 'commit' | 'cancel' | 'undo' | 'redo' | 'load';
export type ChangeListener = (rect: Rect, kind: ChangeKind) => void;

export class CorrectionSession {
  readonly mask: Mask;
  readonly history: MaskHistory;
  private listeners = new Set<ChangeListener>();

  constructor(
    width: number,
    height: number,
    initial?: Uint8Array,
    /** Where the mask came from, e.g. a run id; informative only. */
    public source: string | null = null,
  ) {
    this.mask = createMask(width, height, initial ? initial.slice() : undefined);
    this.history = new MaskHistory(this.mask, 200);
  }

  onChange(fn: ChangeListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  emit(rect: Rect | null, kind: ChangeKind): void {
    if (!rect || isEmptyRect(rect)) return;
    for (const fn of this.listeners) fn(rect, kind);
  }

  begin(): void {
    this.history.begin();
  }

  /** A tool changed pixels inside `rect` during the current gesture. */
  stroke(rect: Rect): void {
    if (isEmptyRect(rect)) return;
    this.history.touch(rect);
    this.emit(rect, 'stroke');
  }

  commit(): void {
    this.emit(this.history.commit(), 'commit');
  }

  cancel(): void {
    this.emit(this.history.cancel(), 'cancel');
  }

  undo(): boolean {
    const r = this.history.undo();
    this.emit(r, 'undo');
    return r !== null;
  }

  redo(): boolean {
    const r = this.history.redo();
    this.emit(r, 'redo');
    return r !== null;
  }

  /** Replace the mask with another one (e.g. a run's mask) as one undoable step. */
  load(data: Uint8Array, source: string | null = this.source): void {
    this.source = source;
    this.emit(this.history.replaceAll(data), 'load');
  }
}

/** The one active session, held by reference outside any store. */
let current: CorrectionSession | null = null;
const sessionListeners = new Set<(s: CorrectionSession | null) => void>();

export const getSession = (): CorrectionSession | null => current;

export function setSession(s: CorrectionSession | null): void {
  current = s;
  for (const fn of sessionListeners) fn(s);
}

export function onSession(fn: (s: CorrectionSession | null) => void): () => void {
  sessionListeners.add(fn);
  return () => sessionListeners.delete(fn);
}
