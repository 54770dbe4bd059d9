/**
 * The saved VAE evaluated in plain TypeScript (src/shared/vae-model.ts) against the engine's tfjs
 * model rebuilt from the same artifact (`loadVaeModel`); its interpolation and seeded samples; and
 * the PNG files image grids are written as.
 */
import * as tf from '@tensorflow/tfjs-core';
import { unzlibSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EngineData } from '../../src/main/engine/algorithm';
import { fitVae, loadVaeModel } from '../../src/main/engine/algorithms/vae';
import { initBackend } from '../../src/main/engine/backend';
import { createRng } from '../../src/shared/rng';
import { splitRows } from '../../src/main/engine/training/split';
import {
  vaeActivations,
  vaeParams,
  type VaeLikelihood,
  type VaeParams,
} from '../../src/shared/algorithms/vae';
import { imageGridPng, imageGridRaster, toImageGrid } from '../../src/shared/image-grid';
import { crc32, encodePng } from '../../src/shared/png';
import { EXAMPLE_ROWS, readVaeModel, type VaeModelMeta } from '../../src/shared/vae-model';

beforeAll(async () => {
  await initBackend(null);
});

/** 5 × 4 grey "images": a bright bar in one of three rows, plus noise. */
function images(seed: number, n: number): EngineData {
  const rng = createRng(seed);
  const values = Float64Array.from({ length: n * 20 }, (_, i) => {
    const bright = Math.floor((i % 20) / 5) === Math.floor(i / 20) % 3;
    return Math.min(1, (bright ? 0.8 : 0.1) + 0.2 * rng.uniform());
  });
  return {
    values,
    rows: n,
    cols: 20,
    columns: Array.from({ length: 20 }, (_, j) => `p${j}`),
    image: { width: 5, height: 4, channels: 1 },
  };
}

/** Three columns on very different scales (so the saved scaling matters). */
function table(seed: number, n: number): EngineData {
  const rng = createRng(seed);
  const values = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) {
    const t = rng.normal();
    values.set(
      [70 + 12 * t + rng.normal(), 3 - t + 0.3 * rng.normal(), 0.01 * rng.normal()],
      i * 3,
    );
  }
  return { values, rows: n, cols: 3, columns: ['waiting', 'eruptions', 'tiny'] };
}

async function trainedModel(
  data: EngineData,
  params: Partial<VaeParams>,
  seed = 5,
): Promise<{ meta: VaeModelMeta; data: Float32Array }> {
  let saved: { meta: VaeModelMeta; data: Float32Array } | null = null;
  await fitVae(
    tf,
    data,
    vaeParams.parse({
      latentDim: 3,
      hiddenUnits: 12,
      batchSize: 16,
      epochs: 2,
      iwaeK: 0,
      galleryEvery: 0,
      learningRate: 1e-2,
      ...params,
    }),
    {
      rng: createRng(seed),
      emit: {
        artifact: (kind, _step, meta, d) => {
          if (kind === 'model') saved = { meta: meta as VaeModelMeta, data: d as Float32Array };
        },
      },
    },
  );
  return saved!;
}

const readSaved = (s: { meta: VaeModelMeta; data: Float32Array }) => readVaeModel(s.meta, s.data);

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>, relativeTo = 1): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++)
    m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(relativeTo, Math.abs(b[i])));
  return m;
}

describe('a saved VAE in plain TypeScript', () => {
  const cases: {
    activation: VaeParams['activation'];
    likelihood: VaeLikelihood;
    layers: number;
  }[] = vaeActivations.flatMap((activation, i) => [
    { activation, likelihood: 'bernoulli' as const, layers: 1 + (i % 2) },
    {
      activation,
      likelihood: i % 2 ? ('gaussian-fixed' as const) : ('gaussian-learned' as const),
      layers: 2 - (i % 2),
    },
  ]);

  it.each(cases)(
    'decodes and encodes as the tfjs model: $activation, $likelihood, $layers hidden',
    async ({ activation, likelihood, layers }) => {
      const data = likelihood === 'bernoulli' ? images(1, 120) : table(2, 120);
      const saved = await trainedModel(data, { activation, likelihood, hiddenLayers: layers });
      const model = readVaeModel(saved.meta, saved.data);
      const loaded = loadVaeModel(tf, saved.meta, saved.data);
      try {
        const rows = 40;
        const x = Float32Array.from(data.values.subarray(0, rows * data.cols));
        const expectedMeans = await loaded.encodeMeans(x, rows);
        const means = model.encodeMean(x, rows);
        expect(maxDiff(means, expectedMeans)).toBeLessThan(1e-5);
        // Latent codes past the data's (|z| up to 3) as well as the data's own.
        const z = Float32Array.from({ length: rows * 3 }, (_, i) => ((i * 7) % 13) / 2 - 3);
        const expected = await loaded.decode(z, rows);
        const decoded = model.decode(z, rows);
        // Data units: relative to the value where it exceeds 1 (the waiting times are ~70).
        expect(maxDiff(decoded, expected)).toBeLessThan(1e-5);
        expect(
          maxDiff(model.decode(means, rows), await loaded.decode(expectedMeans, rows)),
        ).toBeLessThan(1e-5);
        expect(tf.memory().numTensors).toBeGreaterThan(0); // the tfjs twin really ran
      } finally {
        loaded.dispose();
      }
    },
  );

  it('records test rows spread over the test set as examples, and interpolates between two of them', async () => {
    const data = images(3, 200);
    const saved = await trainedModel(data, { testFraction: 0.25 }, 9);
    // The split is the rng's first use: the same seed gives it again.
    const split = splitRows(createRng(9), 200, 0.25);
    // 50 test rows: every 50/32-th, from the first to near the last.
    const picks = Array.from({ length: EXAMPLE_ROWS }, (_, i) =>
      Math.floor((i * 50) / EXAMPLE_ROWS),
    );
    expect(saved.meta.exampleRows).toEqual(picks.map((i) => split.test[i]));
    expect(new Set(saved.meta.exampleRows).size).toBe(EXAMPLE_ROWS);
    expect(saved.meta.exampleRows!.at(-1)).toBe(split.test[48]);
    const model = readVaeModel(saved.meta, saved.data);
    const row = (r: number) => data.values.subarray(r * 20, (r + 1) * 20);
    const [ra, rb] = [saved.meta.exampleRows![0], saved.meta.exampleRows![5]];
    const { z, x } = model.interpolate(row(ra), row(rb), 10);
    expect(z.length).toBe(10 * 3);
    expect(x.length).toBe(10 * 20);
    const za = model.encodeMean(row(ra), 1);
    const zb = model.encodeMean(row(rb), 1);
    expect(Array.from(z.subarray(0, 3))).toEqual(Array.from(za));
    expect(Array.from(z.subarray(27, 30))).toEqual(Array.from(zb));
    expect(Array.from(x.subarray(0, 20))).toEqual(Array.from(model.decode(za, 1)));
    expect(Array.from(x.subarray(180, 200))).toEqual(Array.from(model.decode(zb, 1)));
    // Evenly spaced: each step moves the same latent distance.
    for (let s = 1; s < 10; s++)
      for (let j = 0; j < 3; j++)
        expect(z[s * 3 + j] - z[(s - 1) * 3 + j]).toBeCloseTo((zb[j] - za[j]) / 9, 12);
    expect(() => model.interpolate(row(ra), row(rb), 1)).toThrow(/steps/);
    expect(() => model.interpolate(row(ra).subarray(1), row(rb), 3)).toThrow(/20 values/);
  });

  it('samples reproducibly from a seed, with observation noise only where asked', async () => {
    const img = readSaved(await trainedModel(images(4, 100), {}));
    const a = img.sample(16, 1);
    expect(img.sample(16, 1)).toEqual(a);
    const b = img.sample(16, 2);
    expect(maxDiff(b.z, a.z)).toBeGreaterThan(0.1);
    expect(maxDiff(b.x, a.x)).toBeGreaterThan(1e-3);
    expect(a.x.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(Array.from(a.x)).toEqual(Array.from(img.decode(a.z, 16)));
    // A Bernoulli model's samples are its means, noise or not.
    expect(img.sample(16, 1, { observationNoise: true })).toEqual(a);

    const tab = readSaved(await trainedModel(table(5, 100), { likelihood: 'gaussian-learned' }));
    const means = tab.sample(50, 3);
    const noisy = tab.sample(50, 3, { observationNoise: true });
    expect(noisy.z).toEqual(means.z);
    expect(maxDiff(noisy.x, means.x)).toBeGreaterThan(1e-3);
    expect(tab.sample(50, 3, { observationNoise: true })).toEqual(noisy);
    expect(() => tab.sample(0, 1)).toThrow(/count/);
  });

  it('refuses a malformed model with a reason', async () => {
    const saved = await trainedModel(images(6, 60), {});
    expect(() => readVaeModel({ ...saved.meta, format: 'other' }, saved.data)).toThrow(
      /not a VAE this version reads/,
    );
    expect(() => readVaeModel({ ...saved.meta, latentDim: 4 }, saved.data)).toThrow(
      /sizes do not match/,
    );
    const tensors = saved.meta.tensors.filter((t) => t.name !== 'decoder/1/bias');
    expect(() => readVaeModel({ ...saved.meta, tensors }, saved.data)).toThrow(
      /no tensor "decoder\/1\/bias"/,
    );
    expect(() => readVaeModel(saved.meta, saved.data.subarray(0, 100))).toThrow(/outside its data/);
  });
});

/** The chunks of a PNG file: type, body, and whether its CRC is right. */
function pngChunks(png: Uint8Array): { type: string; body: Uint8Array; crcOk: boolean }[] {
  expect(Array.from(png.subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const out = [];
  for (let at = 8; at < png.length;) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const body = png.subarray(at + 8, at + 8 + length);
    const crcOk = view.getUint32(at + 8 + length) === crc32(png.subarray(at + 4, at + 8 + length));
    out.push({ type, body, crcOk });
    at += 12 + length;
  }
  return out;
}

describe('PNG files of image grids', () => {
  it('CRC-32 gives the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('encodes RGBA pixels that decode back unchanged', () => {
    const w = 3;
    const h = 2;
    const rgba = Uint8Array.from({ length: w * h * 4 }, (_, i) => (i * 37) % 256);
    const chunks = pngChunks(encodePng(w, h, rgba));
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(chunks.every((c) => c.crcOk)).toBe(true);
    const ihdr = new DataView(chunks[0].body.buffer, chunks[0].body.byteOffset);
    expect([ihdr.getUint32(0), ihdr.getUint32(4)]).toEqual([w, h]);
    expect(Array.from(chunks[0].body.subarray(8))).toEqual([8, 6, 0, 0, 0]);
    const raw = unzlibSync(chunks[1].body);
    expect(raw.length).toBe(h * (1 + w * 4));
    for (let y = 0; y < h; y++) {
      expect(raw[y * (1 + w * 4)]).toBe(0); // filter: none
      expect(Array.from(raw.subarray(y * (1 + w * 4) + 1, (y + 1) * (1 + w * 4)))).toEqual(
        Array.from(rgba.subarray(y * w * 4, (y + 1) * w * 4)),
      );
    }
    expect(() => encodePng(2, 2, rgba)).toThrow(/RGBA/);
  });

  it('lays a grid out with one-pixel gaps and writes it at that size', () => {
    // 5 tiles of 2 × 3, three to a row: 3·(2 + 1) + 1 wide, 2·(3 + 1) + 1 high.
    const pixels = Float32Array.from({ length: 5 * 6 }, (_, i) => Math.floor(i / 6) / 4);
    const grid = toImageGrid(
      pixels,
      { width: 2, height: 3, channels: 1 },
      {
        role: 'samples',
        columns: 3,
      },
    );
    const r = imageGridRaster(grid.meta, grid.data);
    expect([r.width, r.height]).toEqual([10, 9]);
    const at = (x: number, y: number) => r.rgba[(y * r.width + x) * 4];
    expect(at(0, 0)).toBe(200); // a gap
    expect(at(1, 1)).toBe(0); // tile 0
    expect(at(4, 1)).toBe(64); // tile 1 (0.25 → 63.75, rounded)
    expect(at(4, 5)).toBe(255); // tile 4, second row
    expect(at(7, 5)).toBe(200); // no sixth tile
    const ihdr = pngChunks(imageGridPng(grid.meta, grid.data))[0].body;
    expect(new DataView(ihdr.buffer, ihdr.byteOffset).getUint32(0)).toBe(10);
  });
});
