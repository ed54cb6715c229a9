// Three views of a volume (MPR) and 3-D correction: the view state (store: crosshair voxel, one large
// view or three, tool, brush size, undo depths; no pixels) and the edits. Edits change the open scan's
// 3-D mask (volumeRun.ts) in place through any plane (mask/volumeEdit.ts): brush, eraser and polygon on
// a slice of any view, fill between two edited slices (shape-based interpolation), keep or remove a
// 6-connected component. Each gesture is one undo step whatever slices it spans. After each step the
// mask is marked 'corrected' (the provenance field 2-D corrections use) and autosaved off the main thread
// (storage/drafts.ts, debounced like the 2-D autosave), so the edits survive a reload.
import { create } from 'zustand';
import { paintCapsule } from '../../mask/paint';
import { fillPolygon } from '../../mask/polygon';
import type { Mask, Point } from '../../mask/types';
import { planeDiff, readPlaneMask, VolumeHistory, writePlaneMask, type VolumeChange } from '../../mask/volumeEdit';
import { applyChange, type VolumeJob } from '../../mask/volumeJobs';
import { centreVoxel, fromPlane, mprGeometry, type MprGeometry, type Voxel } from '../../scan/volume/mpr';
import type { Plane } from '../../scan/volume/orientation';
import type { Scan } from '../../scan/types';
import { getDb } from '../../storage';
import { saveVolumeMaskOffThread } from '../../storage/drafts';
import { clearPendingVolume, writePendingVolume } from '../../storage/pendingEdits';
import { notify } from '../../state/notices';
import { useScans } from '../../state/scans';
import { useView } from '../../state/view';
import { startVolumeJob, VolumeJobCancelled, type RunningVolumeJob } from './volumeJobClient';
import { currentVolumeMask, emptyVolumeMask, setCurrent, useVolumeRun, volumeMaskRecord, type VolumeMask } from './volumeRun';

export type MprTool = 'crosshair' | 'brush' | 'eraser' | 'polygon' | 'keep' | 'remove';

interface MprState {
  /** Three views shown instead of the single viewer. */
  on: boolean;
  /** One view shown large, or null for all three. */
  large: Plane | null;
  /** The crosshair: the voxel all three views pass through. */
  point: Voxel | null;
  tool: MprTool;
  /** Brush radius: in mm on a scan with a recorded voxel spacing (round in mm whatever the voxels), in
   *  voxels otherwise (brushPixelSize says which). */
  radius: number;
  /** The view last worked in (fill between slices acts on it). */
  activePlane: Plane;
  /** Slices edited per view, most recent last (distinct), for "fill between slices". */
  edited: Record<Plane, number[]>;
  /** Bumped whenever the mask's pixels change (views redraw their mask). */
  maskVersion: number;
  undoDepth: number;
  redoDepth: number;
  /** Autosave: the last write's state. */
  saved: 'clean' | 'pending' | 'saving' | 'failed';
  /** A long edit running in the worker (fill between slices, keep/remove a component), or null. */
  job: { label: string; fraction: number } | null;
}

export const useMpr = create<MprState>(() => ({
  on: false, large: null, point: null, tool: 'crosshair', radius: 6, activePlane: 'axial',
  edited: { axial: [], coronal: [], sagittal: [] }, maskVersion: 0, undoDepth: 0, redoDepth: 0, saved: 'clean', job: null,
}));

let geomFor: { scan: Scan; g: MprGeometry | null } | null = null;

/** MPR geometry of the open scan (cached per scan), or null when it is not a volume. */
export function openGeometry(): MprGeometry | null {
  const { scan } = useScans.getState();
  if (!scan) return null;
  if (geomFor?.scan !== scan) geomFor = { scan, g: mprGeometry(scan) };
  return geomFor.g;
}

/** Turns the three views on (crosshair at the centre of the slice shown) or off. */
export function setMpr(on: boolean): void {
  const g = openGeometry();
  if (on && !g) return;
  if (on && g) {
    const p = centreVoxel(g);
    p[2] = Math.min(g.dims[2] - 1, useView.getState().frame);
    useMpr.setState({ on: true, point: p });
  } else useMpr.setState({ on: false, large: null });
}

/** Moves the crosshair (clamped to the volume); the single viewer follows the acquisition slice. */
export function setPoint(p: Voxel): void {
  const g = openGeometry();
  if (!g) return;
  const q: Voxel = [0, 1, 2].map((i) => Math.max(0, Math.min(g.dims[i] - 1, Math.round(p[i])))) as Voxel;
  const cur = useMpr.getState().point;
  if (cur && cur[0] === q[0] && cur[1] === q[1] && cur[2] === q[2]) return;
  useMpr.setState({ point: q });
  if (useView.getState().frame !== q[2]) useView.getState().setFrame(q[2]);
}

/** Steps one view's slice by `d` (wheel, keys). */
export function stepSlice(plane: Plane, d: number): void {
  const g = openGeometry();
  const p = useMpr.getState().point;
  if (!g || !p) return;
  const q = [...p] as Voxel;
  q[g.planes[plane].n] += d;
  setPoint(q);
}

// --- the 3-D mask being corrected -------------------------------------------------------------------

let history: { mask: VolumeMask; h: VolumeHistory } | null = null;

function editable(): { mask: VolumeMask; h: VolumeHistory; scan: Scan } | null {
  const { scan } = useScans.getState();
  if (!scan) return null;
  if (useVolumeRun.getState().progress) {
    notify('info', 'Running on all slices', 'Correct the 3-D mask once the run has finished (or cancel it).');
    return null;
  }
  if (running) {
    notify('info', `${running.label} is running`, 'Edit the 3-D mask once it has finished (or cancel it).');
    return null;
  }
  const mask = currentVolumeMask() ?? emptyVolumeMask();
  if (!mask) return null;
  if (history?.mask !== mask) history = { mask, h: new VolumeHistory(mask.data) };
  return { mask, h: history.h, scan };
}

/** After pixels changed: views redraw; a committed step marks the mask corrected and schedules its save. */
function changed(commit: boolean): void {
  useMpr.setState((s) => ({ maskVersion: s.maskVersion + 1 }));
  if (!commit || !history) return;
  history.mask.provenance = 'corrected';
  useMpr.setState({ undoDepth: history.h.undoDepth, redoDepth: history.h.redoDepth });
  scheduleSave();
}

function noteEdited(plane: Plane, slice: number): void {
  useMpr.setState((s) => ({ activePlane: plane, edited: { ...s.edited, [plane]: [...s.edited[plane].filter((k) => k !== slice), slice].slice(-8) } }));
}

function record(c: VolumeChange, plane?: Plane, slice?: number): boolean {
  const e = editable();
  if (!e) return false;
  const done = e.h.push(c);
  if (plane !== undefined && slice !== undefined) noteEdited(plane, slice);
  changed(done);
  return done;
}

interface Gesture {
  plane: Plane;
  slice: number;
  before: Mask;
  work: Mask;
  last: Point;
  value: number;
}
let gesture: Gesture | null = null;

/**
 * Millimetres per image pixel across and down `plane` when the open scan records its voxel spacing (the
 * brush radius is then in mm: an ellipse in voxels on anisotropic spacing, e.g. slice thickness down a
 * coronal view); null when it does not (the radius is in voxels).
 */
export function brushPixelSize(plane: Plane): { x: number; y: number } | null {
  const { scan } = useScans.getState();
  const g = openGeometry();
  if (!scan?.spacingKnown || !g) return null;
  return { x: g.planes[plane].spacingU, y: g.planes[plane].spacingV };
}

/** Brush/eraser stroke on `plane` at image point `pt` (pointer down). */
export function strokeStart(plane: Plane, pt: Point, erase: boolean): void {
  const e = editable();
  const g = openGeometry();
  const p = useMpr.getState().point;
  if (!e || !g || !p) return;
  const pg = g.planes[plane];
  const slice = p[pg.n];
  const before = readPlaneMask(e.mask.data, pg, slice);
  const work = { ...before, data: before.data.slice() };
  gesture = { plane, slice, before, work, last: pt, value: erase ? 0 : 1 };
  strokeMove(pt);
}

export function strokeMove(pt: Point): void {
  const e = gesture;
  const g = openGeometry();
  const mask = currentVolumeMask();
  if (!e || !g || !mask) return;
  const pg = g.planes[e.plane];
  paintCapsule(e.work, e.last, pt, useMpr.getState().radius, e.value, brushPixelSize(e.plane) ?? undefined);
  e.last = pt;
  writePlaneMask(mask.data, pg, e.slice, e.work);
  changed(false);
}

/** Ends the stroke: one undo step. */
export function strokeEnd(): void {
  const e = gesture;
  gesture = null;
  const g = openGeometry();
  if (!e || !g) return;
  record(planeDiff(g.planes[e.plane], e.slice, e.before, e.work), e.plane, e.slice);
}

/** Fills (or, with `erase`, clears) a polygon of image points on the current slice of `plane`: one step. */
export function polygon(plane: Plane, points: readonly Point[], erase = false): boolean {
  const e = editable();
  const g = openGeometry();
  const p = useMpr.getState().point;
  if (!e || !g || !p || points.length < 3) return false;
  const pg = g.planes[plane];
  const slice = p[pg.n];
  const m = readPlaneMask(e.mask.data, pg, slice);
  fillPolygon(m, points, erase ? 0 : 1);
  return record(writePlaneMask(e.mask.data, pg, slice, m), plane, slice);
}

/** Keeps (or removes) the 6-connected 3-D component under image point `pt` of `plane`'s current slice
 *  (in the worker); resolves to the voxels changed (0 when cancelled or nothing to do). */
export function component(plane: Plane, pt: Point, keep: boolean): Promise<number> {
  const e = editable();
  const g = openGeometry();
  const p = useMpr.getState().point;
  if (!e || !g || !p) return Promise.resolve(0);
  const pg = g.planes[plane];
  const v = fromPlane(pg, pt.x, pt.y, p[pg.n]);
  const seed = v[0] + g.dims[0] * (v[1] + g.dims[1] * v[2]);
  if (!e.mask.data[seed]) {
    notify('info', 'No mask there', `Click on the mask to ${keep ? 'keep' : 'remove'} its connected part.`);
    return Promise.resolve(0);
  }
  return runJob(keep ? 'Keeping the part' : 'Removing the part', { type: keep ? 'keep' : 'remove', vol: e.mask.data, dims: [...g.dims], seed });
}

/** The two slices "fill between" would use on `plane`: the last two distinct slices edited there. */
export function fillRange(plane: Plane): [number, number] | null {
  const list = useMpr.getState().edited[plane];
  if (list.length < 2) return null;
  const a = list[list.length - 2];
  const b = list[list.length - 1];
  return Math.abs(a - b) >= 2 ? [Math.min(a, b), Math.max(a, b)] : null;
}

/** Interpolates the mask between slices a and b of `plane` (shape-based, in the worker): one undo step. */
export function fillBetween(plane: Plane, a: number, b: number): Promise<number> {
  const e = editable();
  const g = openGeometry();
  if (!e || !g) return Promise.resolve(0);
  const pg = g.planes[plane];
  const { width, height, slices, su, sv, sn } = pg;
  return runJob('Filling between slices', { type: 'fill', vol: e.mask.data, g: { width, height, slices, su, sv, sn }, a, b, sx: pg.spacingU, sy: pg.spacingV });
}

// --- long edits, in the worker -------------------------------------------------------------------

let running: { label: string; job: RunningVolumeJob } | null = null;

/** Cancels the long edit in progress: the mask stays as it was. */
export function cancelJob(): void {
  running?.job.cancel();
}

/**
 * Runs a long edit on a copy of the mask in the worker (progress in the store, cancel with cancelJob),
 * then applies its change to the mask as one undo step. Edits are refused while it runs, so the mask it
 * copied is the mask it changes; should it have been replaced meanwhile (a new all-slices run, another
 * scan), the change is dropped.
 */
async function runJob(label: string, job: VolumeJob): Promise<number> {
  const mask = history?.mask;
  if (!mask || running) return 0;
  const started = { label, job: startVolumeJob(job, (fraction) => useMpr.setState({ job: { label, fraction } })) };
  running = started;
  useMpr.setState({ job: { label, fraction: 0 } });
  const version = useMpr.getState().maskVersion;
  try {
    const { change: c, vol } = await started.job.result;
    // every pixel change bumps maskVersion: unchanged means the mask is still what the worker copied, so
    // its edited copy is taken whole (one memcpy; voxel by voxel, millions of changes took ~100 ms here)
    const same = history?.mask === mask && currentVolumeMask() === mask && useMpr.getState().maskVersion === version;
    if (same && vol.length === mask.data.length) mask.data.set(vol);
    if (!same || !history || (vol.length !== mask.data.length && !applyChange(mask.data, c))) {
      notify('info', `${label} was not applied`, 'The 3-D mask changed while it ran.');
      return 0;
    }
    history.h.push(c);
    changed(c.indices.length > 0);
    return c.indices.length;
  } catch (err) {
    if (!(err instanceof VolumeJobCancelled)) notify('error', `${label} failed`, err instanceof Error ? err.message : String(err));
    return 0;
  } finally {
    if (running === started) running = null;
    useMpr.setState({ job: null });
  }
}

export function undo3d(): void {
  if (running) return;
  if (!history || history.mask !== currentVolumeMask()) return;
  if (history.h.undo()) changed(true);
}

export function redo3d(): void {
  if (running) return;
  if (!history || history.mask !== currentVolumeMask()) return;
  if (history.h.redo()) changed(true);
}

/** Drops the undo history (another mask was loaded or the scan closed). */
export function resetHistory(): void {
  cancelJob();
  history = null;
  gesture = null;
  useMpr.setState({ undoDepth: 0, redoDepth: 0, edited: { axial: [], coronal: [], sagittal: [] } });
}

// --- autosave ------------------------------------------------------------------------------------

export const MPR_AUTOSAVE_MS = 400;
let timer: ReturnType<typeof setTimeout> | null = null;
let chain: Promise<void> = Promise.resolve();

function scheduleSave(): void {
  useMpr.setState({ saved: 'pending' });
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => void flushVolumeEdits(), MPR_AUTOSAVE_MS);
}

/** Writes the corrected 3-D mask now (autosave; also on page hide) and refreshes its statistics. */
export function flushVolumeEdits(): Promise<void> {
  if (timer) clearTimeout(timer);
  timer = null;
  const mask = history?.mask;
  if (!mask || useMpr.getState().saved !== 'pending') return chain;
  const { scan, activeId } = useScans.getState();
  if (scan && activeId === mask.scanId) setCurrent(mask, scan); // statistics and the single view's layer
  useMpr.setState({ saved: 'saving' });
  chain = chain
    .then(() => saveVolumeMaskOffThread(getDb(), volumeMaskRecord(mask)))
    .then(() => {
      if (useMpr.getState().saved !== 'saving') return;
      useMpr.setState({ saved: 'clean' });
      clearPendingVolume(getDb().name, mask.scanId); // what it kept, if anything, is saved now
    })
    .catch((e: unknown) => {
      useMpr.setState({ saved: 'failed' });
      notify('error', 'The 3-D correction was not saved', e instanceof Error ? e.message : String(e));
    });
  return chain;
}

/**
 * Page hidden or left: edits not yet in IndexedDB go to localStorage at once (synchronously; the
 * autosave's worker write may not finish before the page ends), then the autosave runs. The next load of
 * the scan uses the kept record when it is newer than the saved row (volumeRun.loadVolumeMask).
 */
export function keepUnsavedVolumeEdits(): void {
  const mask = history?.mask;
  if (mask && useMpr.getState().saved !== 'clean') writePendingVolume(getDb().name, volumeMaskRecord(mask));
  void flushVolumeEdits();
}
