// Drag handles between the side columns and the view: drag (or arrow keys when focused) to resize a side
// panel; double-click resets it. Widths are remembered in this browser; the view refits as it changes size.
import { useCallback, useEffect, useState, type CSSProperties } from 'react';

export type Side = 'left' | 'right';

const LIMITS: Record<Side, [number, number]> = { left: [180, 520], right: [280, 760] };
const key = (side: Side) => `vlsm.panelWidth.${side}`;
const clamp = (side: Side, w: number) => Math.round(Math.max(LIMITS[side][0], Math.min(LIMITS[side][1], w)));

function stored(side: Side): number | null {
  const v = Number(globalThis.localStorage?.getItem(key(side)));
  return Number.isFinite(v) && v > 0 ? clamp(side, v) : null;
}

/** Widths set by the user (null: the stylesheet's default for the window size). */
export function usePanelWidths(): [Record<Side, number | null>, (side: Side, w: number | null) => void] {
  const [widths, setWidths] = useState<Record<Side, number | null>>(() => ({ left: stored('left'), right: stored('right') }));
  const set = useCallback((side: Side, w: number | null) => {
    const v = w === null ? null : clamp(side, w);
    setWidths((x) => ({ ...x, [side]: v }));
    if (v === null) globalThis.localStorage?.removeItem(key(side));
    else globalThis.localStorage?.setItem(key(side), String(v));
  }, []);
  return [widths, set];
}

export function panelStyle(widths: Record<Side, number | null>): CSSProperties {
  const s: Record<string, string> = {};
  if (widths.left !== null) s['--left-w'] = `${widths.left}px`;
  if (widths.right !== null) s['--right-w'] = `${widths.right}px`;
  return s as CSSProperties;
}

export function Splitter({ side, onResize }: { side: Side; onResize(side: Side, w: number | null): void }) {
  const [drag, setDrag] = useState<{ x: number; w: number } | null>(null);
  const current = () => {
    const el = document.querySelector(side === 'left' ? '.app > aside.left' : '.app > aside.right');
    return el?.getBoundingClientRect().width ?? 300;
  };
  useEffect(() => {
    if (!drag) return;
    const move = (e: PointerEvent) => onResize(side, drag.w + (side === 'left' ? 1 : -1) * (e.clientX - drag.x));
    const up = () => setDrag(null);
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
    window.addEventListener('pointercancel', up);
    return () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      window.removeEventListener('pointercancel', up);
    };
  }, [drag, side, onResize]);
  return (
    <div
      className={`splitter ${side}${drag ? ' dragging' : ''}`}
      role="separator"
      aria-orientation="vertical"
      aria-label={`Resize the ${side === 'left' ? 'scan list' : 'prompt and results'} panel`}
      aria-valuemin={LIMITS[side][0]}
      aria-valuemax={LIMITS[side][1]}
      tabIndex={0}
      title="Drag to resize (arrow keys when focused); double-click for the default width"
      data-testid={`splitter-${side}`}
      onPointerDown={(e) => {
        e.preventDefault();
        setDrag({ x: e.clientX, w: current() });
      }}
      onDoubleClick={() => onResize(side, null)}
      onKeyDown={(e) => {
        if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
        e.preventDefault();
        e.stopPropagation();
        const grow = (e.key === 'ArrowRight') === (side === 'left');
        onResize(side, current() + (grow ? 24 : -24));
      }}
    />
  );
}
