/**
 * A saved VAE (its 'model' artifact) evaluated in plain TypeScript: the encoder and decoder are
 * small MLPs, so generating, encoding and interpolating need no tfjs. The renderer (the run page's
 * "Use the model") and the CLI (`latent-lab sample`) both use this; the engine trains and writes
 * the artifact (src/main/engine/algorithms/vae.ts, whose `loadVaeModel` is the tfjs twin).
 */
import { z } from 'zod';
// The engine's seeded generator (import-free): the same seed gives the same samples everywhere.
import { createRng } from './rng';
import { vaeActivations, vaeLikelihoods } from './algorithms/vae';
import { forwardMlp, readMlpLayers } from './mlp-forward';
import { packedTensorSchema, unpackTensor } from './model-artifact';

export const VAE_MODEL_FORMAT = 'latent-lab/vae@1';
/** A learned Gaussian log-variance may not go below this (a constant column would drive it to −∞). */
export const MIN_LOG_VARIANCE = Math.log(1e-4);

const size = z.number().int().positive();

/** The 'model' artifact's meta: layer sizes, activation, likelihood, and the tensors' table. */
export const vaeModelMetaSchema = z
  .object({
    format: z.literal(VAE_MODEL_FORMAT),
    inputDim: size,
    latentDim: size,
    encoderSizes: z.array(size).min(2),
    decoderSizes: z.array(size).min(2),
    activation: z.enum(vaeActivations),
    likelihood: z.enum(vaeLikelihoods),
    image: z.object({ width: size, height: size, channels: size }).optional(),
    /**
     * Data-set row indices of at most EXAMPLE_ROWS test rows (training rows when there is no test
     * set), spread evenly over them, in data order: the examples a user picks interpolation
     * endpoints from. Runs saved before this was recorded have none.
     */
    exampleRows: z.array(z.number().int().nonnegative()).optional(),
    /** Encoder/decoder layers, 'logVarX' (Gaussian), 'centre' and 'scale'. */
    tensors: z.array(packedTensorSchema),
  })
  .refine(
    (m) =>
      m.encoderSizes[0] === m.inputDim &&
      m.encoderSizes.at(-1) === 2 * m.latentDim &&
      m.decoderSizes[0] === m.latentDim &&
      m.decoderSizes.at(-1) === m.inputDim,
    'the encoder and decoder sizes do not match the input and latent dimensions',
  );
export type VaeModelMeta = z.infer<typeof vaeModelMetaSchema>;
/** How many example rows the engine records in the meta. */
export const EXAMPLE_ROWS = 32;

export interface SavedVae {
  meta: VaeModelMeta;
  inputDim: number;
  latentDim: number;
  /** Posterior means E[z|x] of rows of data (rows × inputDim, data units) → rows × latentDim. */
  encodeMean(x: ArrayLike<number>, rows: number): Float64Array;
  /**
   * The decoder's mean of p(x|z) in data units for latent codes (rows × latentDim): pixels in
   * [0, 1] for a Bernoulli model, the data's own units (scaling undone) for a Gaussian one.
   */
  decode(z: ArrayLike<number>, rows: number): Float64Array;
  /**
   * `count` draws z ~ N(0, I) from a generator seeded with `seed`, decoded. With
   * `observationNoise` a Gaussian model adds its noise, x ~ p(x|z) (a Bernoulli model's means
   * stay grey levels, as its galleries show them).
   */
  sample(
    count: number,
    seed: number,
    options?: { observationNoise?: boolean },
  ): { z: Float64Array; x: Float64Array };
  /**
   * `steps` points on the straight line between the latent means of rows `a` and `b` (data
   * units), endpoints included, decoded.
   */
  interpolate(
    a: ArrayLike<number>,
    b: ArrayLike<number>,
    steps: number,
  ): { z: Float64Array; x: Float64Array };
}

/** A saved VAE from its 'model' artifact; throws an Error naming what is missing or malformed. */
export function readVaeModel(metaValue: unknown, data: Float32Array): SavedVae {
  const parsed = vaeModelMetaSchema.safeParse(metaValue);
  if (!parsed.success)
    throw new Error(
      `the saved model is not a VAE this version reads: ${parsed.error.issues[0]?.message ?? ''}`,
    );
  const meta = parsed.data;
  const get = (name: string) => unpackTensor(meta.tensors, data, name);
  const layers = (name: string, sizes: number[]) => readMlpLayers(meta.tensors, data, name, sizes);
  const encoder = layers('encoder', meta.encoderSizes);
  const decoder = layers('decoder', meta.decoderSizes);
  const d = meta.inputDim;
  const L = meta.latentDim;
  const centre = get('centre');
  const scale = get('scale');
  if (centre.length !== d || scale.length !== d)
    throw new Error("the saved model's scaling does not match its input dimension");
  // Standard deviation of p(x|z) per column in data units (Gaussian likelihoods only).
  let noiseSd: Float64Array | null = null;
  if (meta.likelihood !== 'bernoulli') {
    const logVar = get('logVarX');
    const learned = meta.likelihood === 'gaussian-learned';
    noiseSd = Float64Array.from(
      { length: d },
      // The clamp is the one the engine applies to a learned variance in its likelihood.
      (_, j) =>
        Math.exp(0.5 * (learned ? Math.max(logVar[j], MIN_LOG_VARIANCE) : logVar[j])) * scale[j],
    );
  }

  const encodeMean = (x: ArrayLike<number>, rows: number): Float64Array => {
    if (x.length !== rows * d) throw new Error(`expected ${rows} rows of ${d} values`);
    const scaled = Float64Array.from(
      { length: rows * d },
      (_, i) => (x[i] - centre[i % d]) / scale[i % d],
    );
    const h = forwardMlp(encoder, meta.activation, scaled, rows);
    // The encoder's output is the means, then the log-variances, per row.
    const means = new Float64Array(rows * L);
    for (let i = 0; i < rows; i++) means.set(h.subarray(i * 2 * L, i * 2 * L + L), i * L);
    return means;
  };

  const decode = (z: ArrayLike<number>, rows: number): Float64Array => {
    if (z.length !== rows * L) throw new Error(`expected ${rows} latent codes of ${L} values`);
    const out = forwardMlp(decoder, meta.activation, Float64Array.from(z), rows);
    for (let i = 0; i < out.length; i++) {
      const v = meta.likelihood === 'bernoulli' ? 1 / (1 + Math.exp(-out[i])) : out[i];
      out[i] = v * scale[i % d] + centre[i % d];
    }
    return out;
  };

  return {
    meta,
    inputDim: d,
    latentDim: L,
    encodeMean,
    decode,
    sample(count, seed, options = {}) {
      if (!Number.isInteger(count) || count < 1)
        throw new Error('count must be a positive integer');
      const rng = createRng(seed);
      const z = Float64Array.from({ length: count * L }, () => rng.normal());
      const x = decode(z, count);
      if (options.observationNoise && noiseSd)
        for (let i = 0; i < x.length; i++) x[i] += noiseSd[i % d] * rng.normal();
      return { z, x };
    },
    interpolate(a, b, steps) {
      if (!Number.isInteger(steps) || steps < 2) throw new Error('steps must be an integer ≥ 2');
      if (a.length !== d || b.length !== d) throw new Error(`the two rows need ${d} values each`);
      const ends = new Float64Array(2 * d);
      ends.set(Array.from(a));
      ends.set(Array.from(b), d);
      const zs = encodeMean(ends, 2);
      const z = new Float64Array(steps * L);
      for (let s = 0; s < steps; s++) {
        const t = s / (steps - 1);
        // (1 − t)·a + t·b: exactly a at t = 0 and exactly b at t = 1.
        for (let j = 0; j < L; j++) z[s * L + j] = (1 - t) * zs[j] + t * zs[L + j];
      }
      return { z, x: decode(z, steps) };
    },
  };
}
