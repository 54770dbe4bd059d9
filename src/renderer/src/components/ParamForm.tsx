import type { ReactNode } from 'react';
import {
  fieldSchema,
  isShown,
  parseFieldText,
  type Field,
  type FieldList,
  type ParamValues,
} from '../../../shared/algorithms/fields';
import { isMessageKey, optionLabel, type MessageKey } from '../../../shared/i18n';
import { useI18n } from '../i18n';

/** What the inputs hold: text for numbers and matrices, the value itself for the rest. */
export type FormValue = string | boolean | string[];
export type FormValues = Record<string, FormValue>;

type T = ReturnType<typeof useI18n>['t'];

export function defaultFormValues(fields: FieldList): FormValues {
  const out: FormValues = {};
  for (const f of fields) {
    if (f.kind === 'matrix') out[f.key] = '';
    else if (f.kind === 'int' || f.kind === 'number') out[f.key] = String(f.default);
    else if (f.kind === 'choices') out[f.key] = [...f.default];
    else out[f.key] = f.default as string | boolean;
  }
  return out;
}

/** A stored run's parameters as form values (for "Fork"); fields it lacks keep their defaults. */
export function paramsToForm(fields: FieldList, params: ParamValues): FormValues {
  const out = defaultFormValues(fields);
  for (const f of fields) {
    const v = params[f.key];
    if (v === undefined) continue;
    if (f.kind === 'matrix') out[f.key] = (v as number[][]).map((row) => row.join(', ')).join('; ');
    else if (typeof v === 'number') out[f.key] = String(v);
    else out[f.key] = v as FormValue;
  }
  return out;
}

/** A form value as a parameter value, or a translated message saying what is wrong. */
function toParam(
  field: Field,
  raw: FormValue,
  t: T,
): { value: ParamValues[string] } | { error: string } {
  if (field.kind === 'int' || field.kind === 'number') {
    const v = String(raw).trim() === '' ? NaN : Number(raw);
    if (!Number.isFinite(v)) return { error: t('form.number') };
    if (field.kind === 'int' && !Number.isInteger(v)) return { error: t('form.int') };
    if (field.min !== undefined && (field.exclusiveMin ? v <= field.min : v < field.min))
      return { error: t(field.exclusiveMin ? 'form.gtMin' : 'form.min', { min: field.min }) };
    if (field.max !== undefined && v > field.max)
      return { error: t('form.max', { max: field.max }) };
    return { value: v };
  }
  if (field.kind === 'matrix') {
    const parsed = parseFieldText(field, String(raw));
    return 'error' in parsed ? { error: t('form.matrix') } : parsed;
  }
  if (field.kind === 'choices' && (raw as string[]).length === 0)
    return { error: t('form.chooseOne') };
  return fieldSchema(field).safeParse(raw).success
    ? { value: raw as ParamValues[string] }
    : { error: t('form.invalid') };
}

/** The parameters the form describes (hidden fields left out), and the errors by field key. */
export function formToParams(fields: FieldList, values: FormValues, t: T) {
  const params: ParamValues = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    if (!isShown(f, values, fields)) continue;
    if (f.kind === 'matrix' && f.optional && String(values[f.key]).trim() === '') continue;
    const r = toParam(f, values[f.key], t);
    if ('error' in r) errors[f.key] = r.error;
    else params[f.key] = r.value;
  }
  return { params, errors };
}

export function labelKey(algorithm: string, field: string, suffix = ''): MessageKey | null {
  for (const k of [`param.${algorithm}.${field}${suffix}`, `param.${field}${suffix}`])
    if (isMessageKey(k)) return k;
  return null;
}

/** The form for an algorithm's parameters, generated from its field descriptors. */
export function ParamForm(props: {
  algorithm: string;
  fields: FieldList;
  values: FormValues;
  onChange(values: FormValues): void;
  /** The run's selected columns, offered by column fields (e.g. a regression's response). */
  columns?: readonly string[];
  /** Something shown under a field (e.g. a formula's check), by field key. */
  extras?: Record<string, ReactNode>;
  /** An error found elsewhere (e.g. by the host), shown on the field, by field key. */
  fieldErrors?: Record<string, string>;
}) {
  const { t } = useI18n();
  const errors = { ...formToParams(props.fields, props.values, t).errors, ...props.fieldErrors };
  const set = (key: string, v: FormValue) => props.onChange({ ...props.values, [key]: v });
  return (
    <div className="param-form">
      {props.fields
        .filter((f) => isShown(f, props.values, props.fields))
        .map((f) => {
          const label = labelKey(props.algorithm, f.key);
          const help = labelKey(props.algorithm, f.key, '.help');
          const error = errors[f.key] ?? null;
          const value = props.values[f.key];
          let input;
          if (f.kind === 'choice')
            input = (
              <select
                name={f.key}
                value={String(value)}
                onChange={(e) => set(f.key, e.target.value)}
              >
                {f.options.map((o) => (
                  <option key={o} value={o}>
                    {optionLabel(t, f.key, o)}
                  </option>
                ))}
              </select>
            );
          else if (f.kind === 'choices')
            input = (
              <div className="choices">
                {f.options.map((o) => (
                  <label key={o} className="check">
                    <input
                      type="checkbox"
                      name={`${f.key}.${o}`}
                      checked={(value as string[]).includes(o)}
                      onChange={(e) =>
                        set(
                          f.key,
                          f.options.filter((x) =>
                            x === o ? e.target.checked : (value as string[]).includes(x),
                          ),
                        )
                      }
                    />
                    {optionLabel(t, f.key, o)}
                  </label>
                ))}
              </div>
            );
          else if (f.kind === 'boolean')
            input = (
              <label className="check">
                <input
                  type="checkbox"
                  name={f.key}
                  checked={value === true}
                  onChange={(e) => set(f.key, e.target.checked)}
                />
                {label ? t(label) : f.key}
              </label>
            );
          else if (f.kind === 'text' && f.column)
            input = (
              <select
                name={f.key}
                value={String(value)}
                aria-invalid={error !== null}
                onChange={(e) => set(f.key, e.target.value)}
              >
                {!(props.columns ?? []).includes(String(value)) && <option value={String(value)} />}
                {(props.columns ?? []).map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            );
          else if (f.kind === 'text')
            input = (
              <input
                name={f.key}
                className="formula"
                spellCheck={false}
                maxLength={f.maxLength}
                value={String(value)}
                aria-invalid={error !== null}
                onChange={(e) => set(f.key, e.target.value)}
              />
            );
          else if (f.kind === 'matrix')
            input = (
              <textarea
                name={f.key}
                rows={3}
                placeholder={f.placeholder ?? '1.5, 50; 4.5, 80'}
                value={String(value)}
                aria-invalid={error !== null}
                onChange={(e) => set(f.key, e.target.value)}
              />
            );
          else
            input = (
              <input
                name={f.key}
                type="number"
                inputMode="decimal"
                step={f.step ?? 'any'}
                min={f.min}
                max={f.max}
                value={String(value)}
                aria-invalid={error !== null}
                onChange={(e) => set(f.key, e.target.value)}
              />
            );
          // A <label> around a single input; a group of checkboxes cannot sit in one.
          const Wrapper = f.kind === 'choices' || f.kind === 'boolean' ? 'div' : 'label';
          return (
            <Wrapper key={f.key} className={error ? 'field invalid' : 'field'}>
              {f.kind !== 'boolean' && (
                <span className="field-label">{label ? t(label) : f.key}</span>
              )}
              {input}
              {error ? (
                <span className="field-error">{error}</span>
              ) : help ? (
                <span className="field-help">{t(help)}</span>
              ) : null}
              {props.extras?.[f.key]}
            </Wrapper>
          );
        })}
    </div>
  );
}
