/**
 * Images to an 'image-grid' artifact: float pixels (any range) → uint8 tiles, with the meta the
 * renderer needs to lay them out (see ImageGridMeta in src/shared/algorithms/vae.ts); and an
 * artifact laid out as one picture (the renderer's canvas, the CLI's and downloads' PNG files).
 */
import type { ImageGridMeta } from './algorithms/vae';
import { encodePng } from './png';

export interface ImageShape {
  width: number;
  height: number;
  channels: number;
}

/**
 * The smallest and largest value: the grey scale of pictures whose values have no fixed range
 * (a flat picture gets [v, v + 1], so it still maps to one grey).
 */
export function valueRange(values: Iterable<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return [lo, hi > lo ? hi : lo + 1];
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

/** Pixels between tiles, and extra between an input/reconstruction pair and the next. */
const GAP = 1;
const PAIR_GAP = 3;

/** Where each tile's left (or top) edge falls along one axis of a grid. */
export function tileOffsets(
  n: number,
  size: number,
  pairs: boolean,
): { at: number[]; total: number } {
  const at: number[] = [];
  let x = GAP;
  for (let i = 0; i < n; i++) {
    if (pairs && i > 0 && i % 2 === 0) x += PAIR_GAP;
    at.push(x);
    x += size + GAP;
  }
  return { at, total: x };
}

/**
 * An image grid as one RGBA picture, pixel for pixel: tiles `columns` to a row on light grey,
 * `GAP` pixels apart (pairs a little further apart).
 */
export function imageGridRaster(
  meta: Pick<ImageGridMeta, 'width' | 'height' | 'channels' | 'count' | 'columns' | 'pairs'>,
  data: Uint8Array,
): { width: number; height: number; rgba: Uint8ClampedArray<ArrayBuffer> } {
  const { width: w, height: h, channels: ch, count, columns } = meta;
  const xs = tileOffsets(columns, w, meta.pairs === true);
  const ys = tileOffsets(Math.ceil(count / columns), h, false);
  const px = new Uint8ClampedArray(xs.total * ys.total * 4);
  for (let i = 0; i < px.length; i += 4) {
    px[i] = px[i + 1] = px[i + 2] = 200; // the gaps: light grey
    px[i + 3] = 255;
  }
  const size = w * h * ch;
  for (let t = 0; t < count; t++) {
    const x0 = xs.at[t % columns];
    const y0 = ys.at[Math.floor(t / columns)];
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const src = t * size + (y * w + x) * ch;
        const dst = ((y0 + y) * xs.total + x0 + x) * 4;
        const grey = data[src];
        px[dst] = grey;
        px[dst + 1] = ch >= 3 ? data[src + 1] : grey;
        px[dst + 2] = ch >= 3 ? data[src + 2] : grey;
      }
  }
  return { width: xs.total, height: ys.total, rgba: px };
}

/** An image grid as a PNG file, laid out as `imageGridRaster` draws it. */
export function imageGridPng(
  meta: Parameters<typeof imageGridRaster>[0],
  data: Uint8Array,
): Uint8Array<ArrayBuffer> {
  const r = imageGridRaster(meta, data);
  return encodePng(r.width, r.height, r.rgba);
}
