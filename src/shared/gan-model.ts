/**
 * A saved GAN (its 'model' artifact) evaluated in plain TypeScript: the generator is a small MLP,
 * so the run page and the CLI draw new samples without tfjs. The engine
 * (src/main/engine/algorithms/gan.ts) trains and writes the artifact.
 */
import { z } from 'zod';
import { createRng } from './rng';
import { ganActivations, ganNoises } from './algorithms/gan';
import { forwardMlp, readMlpLayers } from './mlp-forward';
import { packedTensorSchema, unpackTensor } from './model-artifact';

export const GAN_MODEL_FORMAT = 'latent-lab/gan@1';

const size = z.number().int().positive();

export const ganModelMetaSchema = z
  .object({
    format: z.literal(GAN_MODEL_FORMAT),
    noiseDim: size,
    noise: z.enum(ganNoises),
    /** Data columns the generator outputs (2 for a 2-D run, pixels for images). */
    outputDim: size,
    generatorSizes: z.array(size).min(2),
    discriminatorSizes: z.array(size).min(2),
    gActivation: z.enum(ganActivations),
    dActivation: z.enum(ganActivations),
    /** 'sigmoid': the generator's output squashed to [0, 1] (images), before the scaling. */
    output: z.enum(['linear', 'sigmoid']),
    image: z.object({ width: size, height: size, channels: size }).optional(),
    axisNames: z.array(z.string()).optional(),
    /** generator/…, discriminator/…, 'centre' and 'scale' (data = model · scale + centre). */
    tensors: z.array(packedTensorSchema),
  })
  .refine(
    (m) =>
      m.generatorSizes[0] === m.noiseDim &&
      m.generatorSizes.at(-1) === m.outputDim &&
      m.discriminatorSizes[0] === m.outputDim &&
      m.discriminatorSizes.at(-1) === 1,
    'the generator and discriminator sizes do not match the noise and output dimensions',
  );
export type GanModelMeta = z.infer<typeof ganModelMetaSchema>;

/** Noise vectors as the engine draws them: N(0, 1) or U(−1, 1) per coordinate. */
export function drawNoise(
  rng: { uniform(): number; normal(): number },
  noise: (typeof ganNoises)[number],
  length: number,
): Float64Array {
  return Float64Array.from({ length }, () =>
    noise === 'gaussian' ? rng.normal() : 2 * rng.uniform() - 1,
  );
}

export interface SavedGan {
  meta: GanModelMeta;
  /** Generated rows (rows × outputDim, data units) for noise vectors (rows × noiseDim). */
  generate(z: ArrayLike<number>, rows: number): Float64Array;
  /** The values the output can take per column's first entry: [centre, centre + scale] for a
   * sigmoid (image) generator, the data's scale around its centre otherwise. */
  range: [number, number];
  /** `count` noise vectors from a generator seeded with `seed`, and their samples. */
  sample(count: number, seed: number): { z: Float64Array; x: Float64Array };
}

export function readGanModel(metaValue: unknown, data: Float32Array): SavedGan {
  const parsed = ganModelMetaSchema.safeParse(metaValue);
  if (!parsed.success)
    throw new Error(
      `the saved model is not a GAN this version reads: ${parsed.error.issues[0]?.message ?? ''}`,
    );
  const meta = parsed.data;
  const generator = readMlpLayers(meta.tensors, data, 'generator', meta.generatorSizes);
  const d = meta.outputDim;
  const centre = unpackTensor(meta.tensors, data, 'centre');
  const scale = unpackTensor(meta.tensors, data, 'scale');
  if (centre.length !== d || scale.length !== d)
    throw new Error("the saved model's scaling does not match its output dimension");
  const generate = (z: ArrayLike<number>, rows: number): Float64Array => {
    if (z.length !== rows * meta.noiseDim)
      throw new Error(`expected ${rows} noise vectors of ${meta.noiseDim} values`);
    const out = forwardMlp(generator, meta.gActivation, Float64Array.from(z), rows);
    for (let i = 0; i < out.length; i++) {
      const v = meta.output === 'sigmoid' ? 1 / (1 + Math.exp(-out[i])) : out[i];
      out[i] = v * scale[i % d] + centre[i % d];
    }
    return out;
  };
  return {
    meta,
    generate,
    range: [centre[0], centre[0] + scale[0]],
    sample(count, seed) {
      if (!Number.isInteger(count) || count < 1)
        throw new Error('count must be a positive integer');
      const z = drawNoise(createRng(seed), meta.noise, count * meta.noiseDim);
      return { z, x: generate(z, count) };
    },
  };
}
