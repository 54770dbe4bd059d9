/** How numbers, parameters and durations read on screen (the same on every page). */
import type { ParamValue } from '../../shared/algorithms/fields';
import { optionLabel, type MessageKey } from '../../shared/i18n';

type T = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** A result number: integers as they are, others to `digits` decimals or in exponent form. */
export const fmt = (v: number, digits = 4): string =>
  Number.isInteger(v)
    ? String(v)
    : Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3
      ? v.toExponential(3)
      : v.toFixed(digits);

/** A parameter as the user gave it: numbers exactly, choices by their translated label. */
export function formatParam(key: string, v: ParamValue | null | undefined, t: T): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return t(v ? 'summary.yes' : 'summary.no');
  const option = (o: string) => optionLabel(t, key, o);
  if (typeof v === 'string') return option(v);
  if (v.length > 0 && Array.isArray(v[0]))
    return (v as number[][]).map((r) => r.join(', ')).join('; ');
  return (v as string[]).map(option).join(', ');
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '';
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)} min ${whole % 60} s`;
}

/**
 * A data value or a statistic of one: up to `digits` significant digits without trailing zeros,
 * exponent form for the very large and very small; — for none (a column with no values).
 */
export function fmtValue(v: number | null, digits = 6): string {
  if (v === null || Number.isNaN(v)) return '—';
  if (v === 0 || !Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e7 || a < 1e-4) return Number(v.toExponential(digits - 1)).toExponential();
  return String(Number(v.toPrecision(digits)));
}

/**
 * A moment as every reader reads it the same way: ISO date and local time to the minute
 * (2026-12-03 16:59), never 03/12/2026, whose day and month depend on where one lives.
 */
export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}
