import { z } from 'zod';

/**
 * A parameter of an algorithm, described once: the zod schema that validates it at every
 * boundary, the form that edits it and the CLI's `--set key=value` parsing all derive from it.
 */
interface FieldBase {
  key: string;
  /** Shown (and sent) only when another field has one of these values. */
  showIf?: { key: string; in: readonly (string | boolean)[] };
}

export interface NumberField extends FieldBase {
  kind: 'int' | 'number';
  default: number;
  min?: number;
  /** True when the bound itself is not allowed (e.g. tolerance > 0). */
  exclusiveMin?: boolean;
  max?: number;
  /** Suggested input step in the form. */
  step?: number;
}

export interface ChoiceField extends FieldBase {
  kind: 'choice';
  default: string;
  options: readonly string[];
}

export interface ChoicesField extends FieldBase {
  kind: 'choices';
  default: readonly string[];
  options: readonly string[];
}

export interface BooleanField extends FieldBase {
  kind: 'boolean';
  default: boolean;
}

/** A small matrix of numbers (e.g. K initial means), optional. */
export interface MatrixField extends FieldBase {
  kind: 'matrix';
  /** Left empty, the parameter is left out (the algorithm's default applies). */
  optional?: boolean;
  /** An example shown in the empty box. */
  placeholder?: string;
}

/**
 * A line of text: a formula, or (with `column`) the name of one of the run's selected columns,
 * which the form offers as a list and the host checks.
 */
export interface TextField extends FieldBase {
  kind: 'text';
  default: string;
  maxLength: number;
  column?: boolean;
}

export type Field =
  NumberField | ChoiceField | ChoicesField | BooleanField | MatrixField | TextField;
export type FieldList = readonly Field[];

export type ParamValue = number | string | boolean | string[] | number[][];
export type ParamValues = Record<string, ParamValue>;

function numberSchema(field: NumberField): z.ZodType<number> {
  let s = (field.kind === 'int' ? z.number().int() : z.number()).refine(
    Number.isFinite,
    'must be a finite number',
  ) as unknown as z.ZodNumber;
  if (field.min !== undefined) s = field.exclusiveMin ? s.gt(field.min) : s.gte(field.min);
  if (field.max !== undefined) s = s.lte(field.max);
  return s;
}

export function fieldSchema(field: Field): z.ZodType<ParamValue> {
  switch (field.kind) {
    case 'int':
    case 'number':
      return numberSchema(field);
    case 'choice':
      return z.enum(field.options as [string, ...string[]]);
    case 'choices':
      return z.array(z.enum(field.options as [string, ...string[]])).min(1, 'choose at least one');
    case 'boolean':
      return z.boolean();
    case 'text':
      return z.string().trim().min(1, 'must not be empty').max(field.maxLength);
    case 'matrix':
      return z
        .array(z.array(z.number().refine(Number.isFinite, 'must be finite')).min(1))
        .min(1)
        .refine((m) => m.every((row) => row.length === m[0].length), 'rows must have equal length');
  }
}

/** The value one field describes. */
type FieldValue<F extends Field> = F extends NumberField
  ? number
  : F extends { kind: 'choice'; options: readonly (infer O)[] }
    ? O
    : F extends { kind: 'choices'; options: readonly (infer O)[] }
      ? O[]
      : F extends BooleanField
        ? boolean
        : F extends TextField
          ? string
          : number[][];

/**
 * The parameter values a field list describes: every field by its key, a matrix optional (left
 * empty, it is left out). An algorithm's parameter type is checked against it where its schema
 * is declared (`const xParams: z.ZodType<XParams> = paramsSchema(xFields)`).
 */
export type ParamsOf<L extends FieldList> = {
  [F in L[number] as F extends MatrixField ? never : F['key']]: FieldValue<F>;
} & {
  [F in L[number] as F extends MatrixField ? F['key'] : never]?: FieldValue<F>;
};

/** A field list without some of its fields, typed as such (so ParamsOf leaves them out too). */
export function withoutFields<L extends FieldList, K extends L[number]['key']>(
  fields: L,
  keys: readonly K[],
): Exclude<L[number], { key: K }>[] {
  return fields.filter((f): f is Exclude<L[number], { key: K }> => !keys.includes(f.key as K));
}

/** A strict object schema (unknown keys are refused) where every field has its default. */
export function paramsSchema<L extends FieldList>(fields: L): z.ZodType<ParamsOf<L>> {
  const shape: Record<string, z.ZodType> = {};
  for (const f of fields)
    shape[f.key] =
      f.kind === 'matrix' ? fieldSchema(f).optional() : fieldSchema(f).default(defaultOf(f));
  // The shape is built field by field, so its type is stated here, once, for every algorithm.
  return z.strictObject(shape) as unknown as z.ZodType<ParamsOf<L>>;
}

function defaultOf(f: Exclude<Field, MatrixField>): ParamValue {
  return Array.isArray(f.default) ? [...f.default] : (f.default as ParamValue);
}

export function defaultValues(fields: FieldList): ParamValues {
  const out: ParamValues = {};
  for (const f of fields) if (f.kind !== 'matrix') out[f.key] = defaultOf(f);
  return out;
}

/**
 * Whether a field applies given the other values (see `showIf`): its condition holds, and so does
 * that of the field it depends on, and so on (an RBM's threshold needs binarising by threshold,
 * which needs binary visible units).
 */
export function isShown(field: Field, values: Record<string, unknown>, fields: FieldList): boolean {
  let f: Field | undefined = field;
  for (let hops = 0; f?.showIf && hops <= fields.length; hops++) {
    const key: string = f.showIf.key;
    if (!f.showIf.in.includes(values[key] as string | boolean)) return false;
    f = fields.find((g) => g.key === key);
  }
  return true;
}

/**
 * Parses a value typed as text (the CLI's --set, a form's text box) for a field. Matrices are
 * rows separated by `;`, numbers by `,` or spaces: "1.5, 50; 4, 80". Returns the reason on failure.
 */
export function parseFieldText(
  field: Field,
  text: string,
): { value: ParamValue } | { error: string } {
  const t = text.trim();
  switch (field.kind) {
    case 'int':
    case 'number': {
      const v = t === '' ? NaN : Number(t);
      return Number.isFinite(v) ? { value: v } : { error: `"${text}" is not a number` };
    }
    case 'choice':
      return field.options.includes(t)
        ? { value: t }
        : { error: `"${text}" is not one of ${field.options.join(', ')}` };
    case 'choices': {
      const list = t.split(/[,\s]+/).filter(Boolean);
      const bad = list.find((x) => !field.options.includes(x));
      return bad === undefined
        ? { value: list }
        : { error: `"${bad}" is not one of ${field.options.join(', ')}` };
    }
    case 'text':
      return t === '' ? { error: 'must not be empty' } : { value: t };
    case 'boolean':
      if (/^(true|yes|1|on)$/i.test(t)) return { value: true };
      if (/^(false|no|0|off)$/i.test(t)) return { value: false };
      return { error: `"${text}" is not true or false` };
    case 'matrix': {
      const rows = t
        .split(/[;\n]+/)
        .map((r) => r.trim())
        .filter(Boolean)
        .map((r) =>
          r
            .split(/[,\s]+/)
            .filter(Boolean)
            .map(Number),
        );
      if (
        rows.length === 0 ||
        rows.some((r) => r.length === 0 || r.some((v) => !Number.isFinite(v)))
      )
        return { error: `"${text}" is not a matrix of numbers (rows separated by ";")` };
      return { value: rows };
    }
  }
}
