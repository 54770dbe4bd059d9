import { z } from 'zod';

/** The shared vocabulary of things an algorithm shows besides scalar metrics. */
export const artifactKinds = [
  'image-grid',
  'points2d',
  'field2d',
  'mixture',
  'draws',
  'trajectory',
  'model',
  'summary',
  'histogram',
] as const;
export type ArtifactKind = (typeof artifactKinds)[number];

export type TypedArray = Float32Array | Float64Array | Uint8Array;
export const typedArraySchema = z.custom<TypedArray>(
  (v) => v instanceof Float32Array || v instanceof Float64Array || v instanceof Uint8Array,
  'expected a Float32Array, Float64Array or Uint8Array',
);
export const float64ArraySchema = z.custom<Float64Array>(
  (v) => v instanceof Float64Array,
  'expected a Float64Array',
);

/** Small structured part as JSON; large numeric part, if any, as a typed array (sent as binary). */
export const artifactSchema = z.object({
  kind: z.enum(artifactKinds),
  step: z.number().int().nonnegative(),
  meta: z.unknown(),
  data: typedArraySchema.optional(),
});
export type Artifact = z.infer<typeof artifactSchema>;

/** A Gaussian mixture snapshot: `mixture` artifacts carry this as `meta`. */
export const mixtureSchema = z.object({
  weights: z.array(z.number()),
  means: z.array(z.array(z.number())),
  covariances: z.array(z.array(z.array(z.number()))),
});
export type Mixture = z.infer<typeof mixtureSchema>;
