import { z } from 'zod';

/**
 * A parameter of an algorithm, described once: the zod schema that validates it at every
 * boundary and the form that edits it are both derived from this descriptor.
 */
export interface NumberField {
  key: string;
  kind: 'int' | 'number';
  default: number;
  min?: number;
  /** True when the bound itself is not allowed (e.g. tolerance > 0). */
  exclusiveMin?: boolean;
  max?: number;
  /** Suggested input step in the form. */
  step?: number;
}

export type FieldList = readonly NumberField[];

function fieldSchema(field: NumberField): z.ZodNumber {
  let s = field.kind === 'int' ? z.number().int() : z.number();
  s = s.refine(Number.isFinite, 'must be a finite number') as unknown as z.ZodNumber;
  if (field.min !== undefined) s = field.exclusiveMin ? s.gt(field.min) : s.gte(field.min);
  if (field.max !== undefined) s = s.lte(field.max);
  return s;
}

/** A strict object schema (unknown keys are refused) where every field has its default. */
export function paramsSchema<const F extends FieldList>(fields: F) {
  const shape: Record<string, z.ZodDefault<z.ZodNumber>> = {};
  for (const f of fields) shape[f.key] = fieldSchema(f).default(f.default);
  return z.strictObject(shape) as unknown as z.ZodType<
    { [K in F[number]['key']]: number },
    { [K in F[number]['key']]?: number }
  >;
}

/** Validates a single value the way the full schema would, for inline form messages. */
export function checkField(field: NumberField, value: number): string | null {
  const r = fieldSchema(field).safeParse(value);
  return r.success ? null : (r.error.issues[0]?.message ?? 'invalid');
}
