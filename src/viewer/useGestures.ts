// Pointer and wheel gestures on the viewer element: wheel steps slices (Ctrl/Cmd+wheel zooms about the cursor); middle-drag or
// space+left-drag pans; right-drag sets window/level; left-drag goes to the active tool. Hovering
// updates the cursor read-out, at most once per animation frame.
import { useEffect } from 'react';
import { useScans } from '../state/scans';
import { useView } from '../state/view';
import { panTool, windowTool } from './builtinTools';
import { pixelAt, screenToImage, wheelFactor, zoomAbout, type Point } from './coords';
import { dispatchToolPointer, imagePoint, toolContext } from './toolHost';
import { pixelValue } from './windowing';

type Mode = 'tool' | 'pan' | 'window';

const isTyping = (t: EventTarget | null) =>
  t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));

function updateCursor(screen: Point | null): void {
  const { scan } = useScans.getState();
  const view = useView.getState();
  if (!scan || !screen) return view.setCursor(null);
  const p = pixelAt(screenToImage(view.transform, screen), scan.width, scan.height);
  view.setCursor(p ? { ...p, value: pixelValue(scan, Math.min(view.frame, scan.frames - 1), p.x, p.y) } : null);
}

export function useGestures(el: HTMLElement | null, onSpace: (held: boolean) => void): void {
  useEffect(() => {
    if (!el) return;
    let mode: Mode | null = null;
    let space = false;
    let hover: Point | null = null;
    let raf = 0;
    const local = (e: MouseEvent): Point => {
      const r = el.getBoundingClientRect();
      return { x: e.clientX - r.left, y: e.clientY - r.top };
    };
    const scheduleCursor = () => {
      if (!raf) raf = requestAnimationFrame(() => ((raf = 0), updateCursor(hover)));
    };
    const handler = (m: Mode) => (m === 'pan' ? panTool : m === 'window' ? windowTool : null);
    const send = (kind: 'down' | 'move' | 'up' | 'cancel', e: PointerEvent) => {
      const pt = imagePoint(local(e), e);
      const h = mode && handler(mode);
      if (!h) return dispatchToolPointer(kind, pt);
      const ctx = toolContext();
      if (kind === 'down') h.onPointerDown?.(pt, ctx);
      else if (kind === 'move') h.onPointerMove?.(pt, ctx);
      else if (kind === 'up') h.onPointerUp?.(pt, ctx);
      else h.onPointerCancel?.(pt, ctx);
    };
    const down = (e: PointerEvent) => {
      if (mode || !useScans.getState().scan) return;
      el.focus({ preventScroll: true });
      mode = e.button === 1 || (e.button === 0 && space) ? 'pan' : e.button === 2 ? 'window' : e.button === 0 ? 'tool' : null;
      if (!mode) return;
      e.preventDefault();
      el.setPointerCapture(e.pointerId);
      send('down', e);
    };
    const move = (e: PointerEvent) => {
      hover = local(e);
      scheduleCursor();
      if (mode) send('move', e);
    };
    const end = (kind: 'up' | 'cancel') => (e: PointerEvent) => {
      if (!mode) return;
      send(kind, e);
      mode = null;
      if (el.hasPointerCapture(e.pointerId)) el.releasePointerCapture(e.pointerId);
    };
    const up = end('up');
    const cancel = end('cancel');
    const leave = () => {
      hover = null;
      scheduleCursor();
    };
    // Wheel steps slices on a multi-slice scan (one slice per notch; trackpad deltas accumulate), as in
    // OHIF; Ctrl/Cmd+wheel (and pinch, which browsers send as Ctrl+wheel) zooms about the cursor. On a
    // single picture the wheel zooms.
    let wheelRest = 0;
    const wheel = (e: WheelEvent) => {
      e.preventDefault();
      const v = useView.getState();
      const dy = e.deltaMode === 1 ? e.deltaY * 33 : e.deltaMode === 2 ? e.deltaY * 400 : e.deltaY;
      const frames = useScans.getState().scan?.frames ?? 1;
      if (frames > 1 && !(e.ctrlKey || e.metaKey)) {
        // a mouse notch (|delta| >= 50) is one slice; small trackpad deltas add up to 100 per slice
        let steps = 0;
        if (Math.abs(dy) >= 50) {
          steps = Math.sign(dy);
          wheelRest = 0;
        } else {
          wheelRest += dy;
          steps = Math.trunc(wheelRest / 100);
          wheelRest -= steps * 100;
        }
        if (steps) v.setFrame(Math.min(frames - 1, Math.max(0, v.frame + steps)));
        return;
      }
      v.setTransform(zoomAbout(v.transform, local(e), wheelFactor(dy)));
      hover = local(e);
      scheduleCursor();
    };
    const key = (isDown: boolean) => (e: KeyboardEvent) => {
      if (e.key !== ' ' || isTyping(e.target)) return;
      // Keep Space for buttons elsewhere; over the canvas it means "hold to pan", not "scroll".
      if (isDown && (e.target === el || e.target === document.body)) e.preventDefault();
      if (space !== isDown) onSpace((space = isDown));
    };
    const keyDown = key(true);
    const keyUp = key(false);
    const noMenu = (e: Event) => e.preventDefault();
    // The value under a still cursor changes with the slice.
    const unsubscribe = useView.subscribe((s, prev) => {
      if (s.frame !== prev.frame && hover) scheduleCursor();
    });
    el.addEventListener('pointerdown', down);
    el.addEventListener('pointermove', move);
    el.addEventListener('pointerup', up);
    el.addEventListener('pointercancel', cancel);
    el.addEventListener('pointerleave', leave);
    el.addEventListener('wheel', wheel, { passive: false });
    el.addEventListener('contextmenu', noMenu);
    window.addEventListener('keydown', keyDown);
    window.addEventListener('keyup', keyUp);
    return () => {
      unsubscribe();
      cancelAnimationFrame(raf);
      el.removeEventListener('pointerdown', down);
      el.removeEventListener('pointermove', move);
      el.removeEventListener('pointerup', up);
      el.removeEventListener('pointercancel', cancel);
      el.removeEventListener('pointerleave', leave);
      el.removeEventListener('wheel', wheel);
      el.removeEventListener('contextmenu', noMenu);
      window.removeEventListener('keydown', keyDown);
      window.removeEventListener('keyup', keyUp);
    };
  }, [el, onSpace]);
}
