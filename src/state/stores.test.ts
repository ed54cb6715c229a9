// Layers and notices stores.
import { describe, expect, it } from 'vitest';
import { useLayers } from './layers';
import { notify, useNotices } from './notices';

describe('layers store', () => {
  it('upserts by id, bumps versions, updates and removes', () => {
    const canvas = {} as HTMLCanvasElement;
    const s = useLayers.getState();
    s.upsert({ id: 'm1', canvas, visible: true, opacity: 0.5, version: 0 });
    s.upsert({ id: 'm2', canvas, visible: true, opacity: 0.5, version: 0 });
    s.upsert({ id: 'm1', canvas, visible: false, opacity: 0.3, version: 4 });
    expect(useLayers.getState().layers.map((l) => l.id)).toEqual(['m2', 'm1']);
    useLayers.getState().touch('m1');
    useLayers.getState().update('m2', { opacity: 1 });
    expect(useLayers.getState().layers.find((l) => l.id === 'm1')!.version).toBe(5);
    // touched = edited in place: the viewer gives it a Konva layer of its own
    expect(useLayers.getState().layers.find((l) => l.id === 'm1')!.live).toBe(true);
    expect(useLayers.getState().layers.find((l) => l.id === 'm2')!.live).toBeUndefined();
    expect(useLayers.getState().layers.find((l) => l.id === 'm2')!.opacity).toBe(1);
    useLayers.getState().remove('m2');
    expect(useLayers.getState().layers.map((l) => l.id)).toEqual(['m1']);
    useLayers.getState().clear();
    expect(useLayers.getState().layers).toEqual([]);
  });
});

describe('notices', () => {
  it('keeps the latest five and dismisses by id', () => {
    const ids = Array.from({ length: 7 }, (_, i) => notify('error', `t${i}`, 'm'));
    expect(useNotices.getState().notices.map((n) => n.title)).toEqual(['t2', 't3', 't4', 't5', 't6']);
    useNotices.getState().dismiss(ids[6]);
    expect(useNotices.getState().notices.map((n) => n.title)).toEqual(['t2', 't3', 't4', 't5']);
  });
});

describe('brush size across scans', () => {
  it('keeps the size within a unit and converts it at the pixel size where the unit changes', async () => {
    const { convertBrushSize } = await import('./tool');
    expect(convertBrushSize(20, null, null)).toBe(20);
    expect(convertBrushSize(8, { x: 0.4, y: 0.4 }, { x: 1, y: 1 })).toBe(8); // mm stay mm
    expect(convertBrushSize(20, null, { x: 0.3125, y: 0.3125 })).toBe(6); // 20 px -> 6 mm (19 px)
    expect(convertBrushSize(6, { x: 0.3125, y: 0.3125 }, null)).toBe(19);
    expect(convertBrushSize(20, null, { x: 0.01, y: 0.01 })).toBe(1); // never below the smallest brush
  });
});
