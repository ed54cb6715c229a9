// Pointer-event harness for tool tests (and the paint benchmark): feeds image-space pointer events to a
// tool the way viewer/toolHost does, so tests check state (mask pixels, undo stack), not the screen.
import type { ImagePoint, Tool, ToolContext } from '../state/tools';

export function point(x: number, y: number, over: Partial<ImagePoint> = {}): ImagePoint {
  return { x, y, screenX: x, screenY: y, buttons: 1, shiftKey: false, altKey: false, ctrlKey: false, pressure: 0.5, ...over };
}

export function toolContext(width: number, height: number): ToolContext {
  return {
    scanId: 'test',
    imageWidth: width,
    imageHeight: height,
    frame: 0,
    scale: 1,
    inside: (p) => p.x >= 0 && p.y >= 0 && p.x < width && p.y < height,
  };
}

export class PointerHarness {
  constructor(
    private tool: Tool,
    readonly ctx: ToolContext,
  ) {}

  down(x: number, y: number, over?: Partial<ImagePoint>): this {
    this.tool.onPointerDown?.(point(x, y, over), this.ctx);
    return this;
  }
  move(x: number, y: number, over?: Partial<ImagePoint>): this {
    this.tool.onPointerMove?.(point(x, y, over), this.ctx);
    return this;
  }
  up(x: number, y: number, over?: Partial<ImagePoint>): this {
    this.tool.onPointerUp?.(point(x, y, { buttons: 0, ...over }), this.ctx);
    return this;
  }
  cancel(x = 0, y = 0): this {
    this.tool.onPointerCancel?.(point(x, y, { buttons: 0 }), this.ctx);
    return this;
  }
  /** Press at the first point, move through the rest, release at the last. */
  drag(points: readonly [number, number][]): this {
    const [first, ...rest] = points;
    this.down(first[0], first[1]);
    for (const [x, y] of rest) this.move(x, y);
    const last = points[points.length - 1];
    return this.up(last[0], last[1]);
  }
}
