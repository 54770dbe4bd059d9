import { isAbsolutePath, textLimits } from '../../../shared/api';
import type { T } from '../algorithms/types';

/**
 * The limits of what people type (names, tags, notes), checked as they type and said in the
 * reader's language, counted as the contract counts (trimmed where it trims, UTF-16 units as
 * zod does): what passes here is not refused by the host with a schema message in English.
 */

/** A run's tags as typed: comma-separated, trimmed, empty ones dropped. */
export const parseTags = (typed: string): string[] =>
  typed
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const tooLong = (n: number, max: number, t: T) => (n > max ? t('limit.tooLong', { max, n }) : null);

/** A data set's or a run's name. */
export const nameProblem = (typed: string, t: T) =>
  tooLong(typed.trim().length, textLimits.name, t);

export const noteProblem = (typed: string, t: T) => tooLong(typed.length, textLimits.note, t);

export function tagsProblem(typed: string, t: T): string | null {
  const tags = parseTags(typed);
  if (tags.length > textLimits.tags)
    return t('limit.tooManyTags', { max: textLimits.tags, n: tags.length });
  const long = tags.find((tag) => tag.length > textLimits.tag);
  if (!long) return null;
  // The tag quoted by its start: the whole of a pasted paragraph would fill the form.
  const quoted = long.length > 24 ? `${long.slice(0, 24)}…` : long;
  return t('limit.tagTooLong', { max: textLimits.tag, tag: quoted, n: long.length });
}

/** A folder typed for the host: from the root (it has no current folder to start from). */
export const folderProblem = (typed: string, t: T) =>
  typed.trim() && !isAbsolutePath(typed.trim()) ? t('limit.absolutePath') : null;

/** The message under a field whose text goes over its limit (nothing when it does not). */
export function LimitMessage({ message, testId }: { message: string | null; testId?: string }) {
  if (!message) return null;
  return (
    <span className="field-limit" role="alert" data-testid={testId}>
      {message}
    </span>
  );
}
