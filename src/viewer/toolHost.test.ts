// Tool host: pointer events reach the active tool in image coordinates; built-in pan/W-L tools; navigation.
import { beforeEach, describe, expect, it } from 'vitest';
import { useScans } from '../state/scans';
import { onImagePointer, useTools, type ImagePoint, type Tool } from '../state/tools';
import { useView } from '../state/view';
import type { Scan } from '../scan/types';
import { panTool, windowTool } from './builtinTools';
import { dispatchToolPointer, imagePoint } from './toolHost';
import { stepFrame, goToFrame, zoomCentre } from './navigation';

const tinyScan = (name: string, frames: number): Scan => ({
  name, format: 'dicom', width: 4, height: 3, frames, shape: [frames, 3, 4], channels: 1, dtype: 'int16',
  data: new Int16Array(12 * frames), spacing: [1, 1, 1], spacingKnown: false, photometric: 'MONOCHROME2',
  window: { center: 0, width: 100 }, range: [-100, 100], metadata: {},
});

const pe = { buttons: 1, shiftKey: false, altKey: false, ctrlKey: false, metaKey: false, pressure: 0.5 };

function recorder(id: string) {
  const log: string[] = [];
  const tool: Tool = {
    id, label: id, cursor: 'crosshair',
    onPointerDown: (p, ctx) => log.push(`down ${p.x},${p.y} in=${ctx.inside(p)} f=${ctx.frame} w=${ctx.imageWidth}`),
    onPointerMove: (p) => log.push(`move ${p.x},${p.y}`),
    onPointerUp: (p) => log.push(`up ${p.x},${p.y}`),
    onPointerCancel: () => log.push('cancel'),
    deactivate: () => log.push('deactivate'),
  };
  return { tool, log };
}

describe('tool host', () => {
  beforeEach(() => {
    useScans.getState().setActive('scan-1', tinyScan('t', 3));
    useView.getState().reset({ center: 0, width: 100 });
    useView.getState().setTransform({ scale: 2, x: 10, y: 20 });
    useView.getState().setViewport(200, 100);
    useView.getState().setFrame(1);
  });

  it('delivers pointer events in image coordinates with a context to the active tool', () => {
    const { tool, log } = recorder('rec');
    const off = useTools.getState().register(tool);
    useTools.getState().activate('rec');
    const raw: string[] = [];
    const offRaw = onImagePointer((kind, x, y) => raw.push(`${kind} ${x},${y}`));
    dispatchToolPointer('down', imagePoint({ x: 14, y: 24 }, pe));
    dispatchToolPointer('move', imagePoint({ x: 16, y: 24 }, pe));
    dispatchToolPointer('up', imagePoint({ x: 100, y: 24 }, pe));
    dispatchToolPointer('cancel', imagePoint({ x: 0, y: 0 }, pe));
    expect(log).toEqual(['down 2,2 in=true f=1 w=4', 'move 3,2', 'up 45,2', 'cancel']);
    expect(raw).toEqual(['down 2,2', 'move 3,2', 'up 45,2', 'cancel -5,-10']);
    useTools.getState().register(panTool);
    useTools.getState().activate('pan');
    expect(log.at(-1)).toBe('deactivate');
    offRaw();
    off();
  });

  it('activating an unknown tool is ignored', () => {
    useTools.getState().register(panTool);
    useTools.getState().activate('pan');
    useTools.getState().activate('nope');
    expect(useTools.getState().activeId).toBe('pan');
  });

  it('pan tool drags the view; window tool changes window/level', () => {
    const ctx = { scanId: null, imageWidth: 4, imageHeight: 3, frame: 0, scale: 2, inside: () => true };
    const at = (x: number, y: number): ImagePoint => ({ ...imagePoint({ x, y }, pe) });
    panTool.onPointerDown!(at(50, 50), ctx);
    panTool.onPointerMove!(at(60, 45), ctx);
    panTool.onPointerUp!(at(60, 45), ctx);
    expect(useView.getState().transform).toEqual({ scale: 2, x: 20, y: 15 });
    windowTool.onPointerDown!(at(0, 0), ctx);
    windowTool.onPointerMove!(at(20, 0), ctx);
    const v = useView.getState();
    expect(v.window.width).toBeGreaterThan(100);
    expect(v.windowPreset).toBe('custom');
  });

  it('frame navigation clamps to the scan; zoom keeps the centre', () => {
    stepFrame(10);
    expect(useView.getState().frame).toBe(2);
    stepFrame(-1);
    expect(useView.getState().frame).toBe(1);
    goToFrame('first');
    expect(useView.getState().frame).toBe(0);
    goToFrame('last');
    expect(useView.getState().frame).toBe(2);
    zoomCentre(2);
    expect(useView.getState().transform).toEqual({ scale: 4, x: -80, y: -10 });
  });
});
