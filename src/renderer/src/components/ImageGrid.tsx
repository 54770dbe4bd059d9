import { useEffect, useMemo, useRef } from 'react';
import type { ImageGridMeta } from '../../../shared/algorithms/vae';
import { imageGridRaster } from '../../../shared/image-grid';

/** An 'image-grid' artifact (or any uint8 images) drawn on a canvas, pixel for pixel, scaled up without smoothing. */
export function ImageGrid({
  meta,
  data,
  maxScale = 3,
  testId,
}: {
  /** The layout (an artifact's meta, or a page of a data set's images). */
  meta: Pick<ImageGridMeta, 'width' | 'height' | 'channels' | 'count' | 'columns' | 'pairs'>;
  data: Uint8Array;
  maxScale?: number;
  testId?: string;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  const raster = useMemo(() => imageGridRaster(meta, data), [meta, data]);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    canvas.width = raster.width;
    canvas.height = raster.height;
    ctx.putImageData(new ImageData(raster.rgba, raster.width, raster.height), 0, 0);
  }, [raster]);
  return (
    <canvas
      ref={ref}
      className="image-grid"
      // As wide as the card allows, up to `maxScale` screen pixels per image pixel, unsmoothed.
      style={{
        width: '100%',
        maxWidth: raster.width * maxScale,
        height: 'auto',
        imageRendering: 'pixelated',
      }}
      data-testid={testId}
    />
  );
}
