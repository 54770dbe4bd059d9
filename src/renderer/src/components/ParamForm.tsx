import type { NumberField } from '../../../shared/algorithms/fields';
import { isMessageKey, type MessageKey } from '../../../shared/i18n';
import { useI18n } from '../i18n';

export type FormValues = Record<string, string>;

export function defaultFormValues(fields: readonly NumberField[]): FormValues {
  return Object.fromEntries(fields.map((f) => [f.key, String(f.default)]));
}

/** A translated message for a bad value, or null when the field accepts it. */
export function fieldError(
  field: NumberField,
  raw: string,
  t: ReturnType<typeof useI18n>['t'],
): string | null {
  const v = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(v)) return t('form.number');
  if (field.kind === 'int' && !Number.isInteger(v)) return t('form.int');
  if (field.min !== undefined && (field.exclusiveMin ? v <= field.min : v < field.min))
    return t(field.exclusiveMin ? 'form.gtMin' : 'form.min', { min: field.min });
  if (field.max !== undefined && v > field.max) return t('form.max', { max: field.max });
  return null;
}

function key(algorithm: string, field: string, suffix = ''): MessageKey | null {
  const k = `param.${algorithm}.${field}${suffix}`;
  return isMessageKey(k) ? k : null;
}

/** The form for an algorithm's parameters, generated from its field descriptors. */
export function ParamForm(props: {
  algorithm: string;
  fields: readonly NumberField[];
  values: FormValues;
  onChange(values: FormValues): void;
}) {
  const { t } = useI18n();
  return (
    <div className="param-form">
      {props.fields.map((f) => {
        const label = key(props.algorithm, f.key);
        const help = key(props.algorithm, f.key, '.help');
        const error = fieldError(f, props.values[f.key] ?? '', t);
        return (
          <label key={f.key} className={error ? 'field invalid' : 'field'}>
            <span className="field-label">{label ? t(label) : f.key}</span>
            <input
              name={f.key}
              type="number"
              inputMode="decimal"
              step={f.step ?? 'any'}
              min={f.min}
              max={f.max}
              value={props.values[f.key] ?? ''}
              aria-invalid={error !== null}
              onChange={(e) => props.onChange({ ...props.values, [f.key]: e.target.value })}
            />
            {error ? (
              <span className="field-error">{error}</span>
            ) : help ? (
              <span className="field-help">{t(help)}</span>
            ) : null}
          </label>
        );
      })}
    </div>
  );
}
