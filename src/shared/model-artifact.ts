/**
 * A trained model as one 'model' artifact: every tensor's values back to back in one
 * Float32Array, and a table of names, shapes and offsets in the meta, so a saved run can rebuild
 * the model later (generate, encode) without retraining. Shared by the VAE, GAN and RBM.
 */
import { z } from 'zod';

export const packedTensorSchema = z.object({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  /** Index of the first value in the artifact's data. */
  offset: z.number().int().nonnegative(),
});
export type PackedTensor = z.infer<typeof packedTensorSchema>;

export function packTensors(tensors: { name: string; shape: number[]; values: Float32Array }[]): {
  entries: PackedTensor[];
  data: Float32Array;
} {
  const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  const total = tensors.reduce((s, t) => s + size(t.shape), 0);
  const data = new Float32Array(total);
  const entries: PackedTensor[] = [];
  let offset = 0;
  for (const t of tensors) {
    const n = size(t.shape);
    if (t.values.length !== n)
      throw new Error(`tensor ${t.name}: ${t.values.length} values for shape [${t.shape}]`);
    data.set(t.values, offset);
    entries.push({ name: t.name, shape: t.shape, offset });
    offset += n;
  }
  return { entries, data };
}

/** The named tensor's values (a copy), or an error naming what is missing or malformed. */
export function unpackTensor(
  entries: readonly PackedTensor[],
  data: Float32Array,
  name: string,
): Float32Array {
  const e = entries.find((t) => t.name === name);
  if (!e) throw new Error(`the saved model has no tensor "${name}"`);
  const n = e.shape.reduce((a, b) => a * b, 1);
  if (e.offset < 0 || e.offset + n > data.length)
    throw new Error(`the saved model's tensor "${name}" lies outside its data`);
  return data.slice(e.offset, e.offset + n);
}
