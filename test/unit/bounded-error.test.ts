/**
 * An error crossing the boundary quotes at most a few hundred characters of any value: a 50 MB
 * cell quoted in a CSV refusal made a 104 MB reply (issue 19).
 */
import { describe, expect, it } from 'vitest';
import {
  ApiError,
  MAX_ERROR_MESSAGE_CHARS,
  MAX_QUOTED_CHARS,
  boundedError,
  truncateText,
} from '../../src/shared/api';
import { localText, translate } from '../../src/shared/i18n';

describe('boundedError', () => {
  it('cuts a huge quoted value in the text and in the English message alike', () => {
    const cell = 'z'.repeat(50 * 1024 * 1024);
    const e = ApiError.of(
      'bad-data',
      localText('csv.stray.one', { column: 'x', numbers: 3, value: cell, line: 4 }),
    );
    const bounded = boundedError(e);
    expect(bounded.code).toBe('bad-data');
    expect(bounded.message.length).toBeLessThan(MAX_QUOTED_CHARS + 100);
    expect(bounded.message).toMatch(/^x: 3 numbers, 1 other value: “z+…” on line 4$/);
    const value = bounded.text!.vars!.value as string;
    expect(value).toHaveLength(MAX_QUOTED_CHARS);
    expect(translate('zh', bounded.text!.key, bounded.text!.vars)).toContain('z…');
  });

  it('cuts a long message without a text, and leaves a short error as it is', () => {
    const long = new ApiError('invalid-input', `unknown algorithm "${'a'.repeat(10_000)}"`);
    expect(boundedError(long).message).toHaveLength(MAX_ERROR_MESSAGE_CHARS);
    const short = new ApiError('not-found', 'no run 3');
    expect(boundedError(short)).toBe(short);
  });

  it('never cuts inside a surrogate pair', () => {
    expect(truncateText('ab😀cd', 4)).toBe('ab…');
    expect(truncateText('abc', 3)).toBe('abc');
  });
});
