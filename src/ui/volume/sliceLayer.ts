// One slice of a 3-D binary mask drawn as a viewer layer in one colour: the 3-D mask of a run
// (volumeRun.ts) and the loaded 3-D reference (volumeSeg.ts). Keeps one slice-sized canvas per layer.
import { useLayers } from '../../state/layers';

export interface SliceLayerStyle {
  colour: readonly [number, number, number];
  opacity: number;
  z: number;
  /** Visibility when the layer is first created (later toggles belong to the layer). */
  visible: () => boolean;
}

export class SliceLayer {
  private canvas: HTMLCanvasElement | null = null;

  constructor(
    readonly id: string,
    private readonly style: SliceLayerStyle,
  ) {}

  get colour(): readonly [number, number, number] {
    return this.style.colour;
  }

  remove(): void {
    if (useLayers.getState().layers.some((l) => l.id === this.id)) useLayers.getState().remove(this.id);
  }

  /** Draws slice `slice` of `data` (width × height × slices, 0/1) into the layer. */
  draw(data: Uint8Array, width: number, height: number, slice: number): void {
    if (!this.canvas || this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas = document.createElement('canvas');
      this.canvas.width = width;
      this.canvas.height = height;
    }
    const canvas = this.canvas;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const plane = width * height;
    const img = ctx.createImageData(width, height);
    const src = data.subarray(slice * plane, (slice + 1) * plane);
    const [r, g, b] = this.style.colour;
    for (let i = 0; i < plane; i++) {
      if (!src[i]) continue;
      const o = i * 4;
      img.data[o] = r;
      img.data[o + 1] = g;
      img.data[o + 2] = b;
      img.data[o + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    const layer = useLayers.getState().layers.find((l) => l.id === this.id);
    if (layer) useLayers.getState().update(this.id, { version: layer.version + 1, canvas });
    else useLayers.getState().upsert({ id: this.id, canvas, visible: this.style.visible(), opacity: this.style.opacity, version: 1, z: this.style.z });
  }
}
