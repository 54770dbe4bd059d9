/**
 * Images to an 'image-grid' artifact: float pixels (any range) → uint8 tiles, with the meta the
 * renderer needs to lay them out (see ImageGridMeta in src/shared/algorithms/vae.ts).
 */
import type { ImageGridMeta } from '../../../shared/algorithms/vae';

export interface ImageShape {
  width: number;
  height: number;
  channels: number;
}

/**
 * `pixels` holds `count` images of width × height × channels values (channels last); `range` is the
 * value mapped to 0 and the one mapped to 255 (values outside are clamped).
 */
export function toImageGrid(
  pixels: ArrayLike<number>,
  shape: ImageShape,
  options: {
    role: ImageGridMeta['role'];
    columns: number;
    range?: [number, number];
    pairs?: boolean;
    axes?: ImageGridMeta['axes'];
  },
): { meta: ImageGridMeta; data: Uint8Array } {
  const size = shape.width * shape.height * shape.channels;
  const count = Math.floor(pixels.length / size);
  const [lo, hi] = options.range ?? [0, 1];
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  const data = new Uint8Array(count * size);
  for (let i = 0; i < data.length; i++) {
    const v = (pixels[i] - lo) * scale;
    data[i] = v <= 0 || Number.isNaN(v) ? 0 : v >= 255 ? 255 : Math.round(v);
  }
  const meta: ImageGridMeta = {
    role: options.role,
    ...shape,
    count,
    columns: Math.max(1, Math.min(options.columns, count)),
    range: [lo, hi],
  };
  if (options.pairs) meta.pairs = true;
  if (options.axes) meta.axes = options.axes;
  return { meta, data };
}

/** Interleaves two equal lists of images: a0, b0, a1, b1, … (inputs beside reconstructions). */
export function interleaveImages(a: Float32Array, b: Float32Array, size: number): Float32Array {
  const count = a.length / size;
  const out = new Float32Array(2 * a.length);
  for (let i = 0; i < count; i++) {
    out.set(a.subarray(i * size, (i + 1) * size), 2 * i * size);
    out.set(b.subarray(i * size, (i + 1) * size), (2 * i + 1) * size);
  }
  return out;
}
