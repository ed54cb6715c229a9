// Where panels go. To add a panel, add one entry to the matching list (import your component above).
// Panels are plain components that read the stores they need; each is wrapped in its own error boundary.
import type { ComponentType } from 'react';

export interface Slot {
  id: string;
  title: string;
  Component: ComponentType;
  /** Start collapsed (right column panels). */
  collapsed?: boolean;
}

/** Right column, top to bottom: prompt box, runs/results, chart, models, export (engineers C and E). */
export const RIGHT_PANELS: Slot[] = [];

/** Toolbar items after the built-in tool buttons: brush size, undo/redo, threshold, opacity, export. */
export const TOOLBAR_ITEMS: Slot[] = [];

/** Status bar items after the built-in read-outs: model, backend and why, last timings. */
export const STATUS_ITEMS: Slot[] = [];
