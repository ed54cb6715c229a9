// Frame navigation and zoom actions, shared by the keyboard map and the toolbar.
import { useScans } from '../state/scans';
import { useView } from '../state/view';
import { zoomAbout } from './coords';

export function stepFrame(delta: number): void {
  const frames = useScans.getState().scan?.frames ?? 1;
  const v = useView.getState();
  v.setFrame(Math.min(frames - 1, Math.max(0, v.frame + delta)));
}

export function goToFrame(which: 'first' | 'last'): void {
  const frames = useScans.getState().scan?.frames ?? 1;
  useView.getState().setFrame(which === 'first' ? 0 : frames - 1);
}

/** Zoom about the centre of the canvas. */
export function zoomCentre(factor: number): void {
  const v = useView.getState();
  v.setTransform(zoomAbout(v.transform, { x: v.viewport.w / 2, y: v.viewport.h / 2 }, factor));
}
