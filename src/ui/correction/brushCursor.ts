// Brush cursor: a ring the size of the brush on screen (brush size x zoom), as an SVG data-URL cursor.
// Browsers cap cursor images at 128 px, so larger brushes show a crosshair ring at the cap. The viewer
// element's cursor is refreshed when the size or zoom changes (React sets the same value on re-render).
import { useToolSettings } from '../../state/tool';
import { useTools } from '../../state/tools';
import { useView } from '../../state/view';

const BRUSHES = ['brush', 'eraser'];
const MAX = 127;

export function brushCursor(): string {
  const d = Math.max(5, Math.min(MAX, Math.round(useToolSettings.getState().brushSize * useView.getState().transform.scale)));
  const r = d / 2;
  const c = Math.ceil(r) + 1;
  const size = 2 * c;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><circle cx="${c}" cy="${c}" r="${r - 0.5}" fill="none" stroke="black" stroke-width="2.5"/><circle cx="${c}" cy="${c}" r="${r - 0.5}" fill="none" stroke="white" stroke-width="1"/><path d="M${c - 3} ${c}h6M${c} ${c - 3}v6" stroke="white"/></svg>`;
  return `url("data:image/svg+xml,${encodeURIComponent(svg)}") ${c} ${c}, crosshair`;
}

/** Keeps the viewer's cursor in step with the brush size and zoom; returns an unsubscribe. */
export function followBrushCursor(): () => void {
  const apply = () => {
    if (!BRUSHES.includes(useTools.getState().activeId)) return;
    const el = document.querySelector<HTMLElement>('[data-testid="viewer"]');
    if (el) el.style.cursor = brushCursor();
  };
  const offs = [
    useToolSettings.subscribe((s, p) => s.brushSize !== p.brushSize && apply()),
    useView.subscribe((s, p) => s.transform.scale !== p.transform.scale && apply()),
    useTools.subscribe((s, p) => s.activeId !== p.activeId && apply()),
  ];
  return () => offs.forEach((off) => off());
}
