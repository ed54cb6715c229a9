// Mask/overlay canvases registered in state/layers.ts, drawn over the scan in image coordinates. A layer
// is redrawn when its `version` changes (the canvas itself is mutated in place by its owner).
import type Konva from 'konva';
import { useEffect, useRef } from 'react';
import { Image as KonvaImage } from 'react-konva';
import { useLayers, type MaskLayer } from '../state/layers';

function MaskImage({ layer, width, height }: { layer: MaskLayer; width: number; height: number }) {
  const node = useRef<Konva.Image>(null);
  useEffect(() => {
    node.current?.getLayer()?.batchDraw();
  }, [layer.version, layer.canvas]);
  return (
    <KonvaImage
      ref={node}
      image={layer.canvas}
      width={width}
      height={height}
      opacity={layer.opacity}
      visible={layer.visible}
      listening={false}
    />
  );
}

export function MaskLayers({ width, height }: { width: number; height: number }) {
  const layers = useLayers((s) => s.layers);
  const sorted = [...layers].sort((a, b) => (a.z ?? 0) - (b.z ?? 0));
  return (
    <>
      {sorted.map((l) => (
        <MaskImage key={l.id} layer={l} width={width} height={height} />
      ))}
    </>
  );
}
