// Mask/overlay canvases registered in state/layers, drawn over the scan in image coordinates, on one or
// more Konva layers (maskGroups.ts). An image is redrawn when its `version` changes (the canvas itself is
// mutated in place by its owner), batched. Live layers are left to the live canvas (LiveCanvas.tsx).
import type Konva from 'konva';
import { memo, useLayoutEffect, useRef } from 'react';
import { Image as KonvaImage, Layer } from 'react-konva';
import { useShallow } from 'zustand/react/shallow';
import { useLayers, type MaskLayer } from '../state/layers';
import { groupMaskLayers } from './maskGroups';

interface ImageProps {
  layer: MaskLayer;
  width: number;
  height: number;
  live: boolean;
}

const MaskImage = memo(function MaskImage({ layer, width, height, live }: ImageProps) {
  const node = useRef<Konva.Image>(null);
  useLayoutEffect(() => {
    const konvaLayer = node.current?.getLayer();
    // Owners touch at most once per animation frame, so a live layer draws in the same frame.
    if (live) konvaLayer?.draw();
    else konvaLayer?.batchDraw();
  }, [layer.version, layer.canvas, live]);
  return (
    <KonvaImage
      ref={node}
      image={layer.canvas}
      width={width}
      height={height}
      opacity={layer.opacity}
      visible={layer.visible}
      listening={false}
      perfectDrawEnabled={false}
    />
  );
});

/** Konva layers for the static mask layers, bottom to top; rendered directly inside the Stage. Live layers
 *  (painted frame after frame) are drawn by the live canvas instead (LiveCanvas.tsx), so touching one does
 *  not even re-render this component (the selected list keeps its members). */
export function MaskLayers({ width, height }: { width: number; height: number }) {
  const layers = useLayers(useShallow((s) => s.layers.filter((l) => !l.live)));
  return (
    <>
      {groupMaskLayers(layers).map((g) => (
        <Layer key={g.key} imageSmoothingEnabled={false} listening={false}>
          {g.layers.map((l) => (
            <MaskImage key={l.id} layer={l} width={width} height={height} live={g.live} />
          ))}
        </Layer>
      ))}
    </>
  );
}
