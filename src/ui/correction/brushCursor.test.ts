import { describe, expect, it } from 'vitest';
import { useToolSettings } from '../../state/tool';
import { useView } from '../../state/view';
import { brushCursor } from './brushCursor';

const radius = (css: string): number => Number(/r%3D%22([\d.]+)%22/.exec(css)?.[1]);

describe('brush cursor', () => {
  it('is a ring of the brush size on screen, capped at the browser cursor limit', () => {
    useToolSettings.getState().setBrushSize(20);
    useView.setState({ transform: { scale: 2, x: 0, y: 0 } });
    expect(radius(brushCursor())).toBe(19.5); // 40 px diameter on screen
    useView.setState({ transform: { scale: 0.5, x: 0, y: 0 } });
    expect(radius(brushCursor())).toBe(4.5);
    useToolSettings.getState().setBrushSize(200);
    useView.setState({ transform: { scale: 4, x: 0, y: 0 } });
    expect(radius(brushCursor())).toBe(63);
    expect(brushCursor()).toMatch(/crosshair$/);
  });
});
