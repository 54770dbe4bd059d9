import { expect } from 'vitest';
import { CsvError } from '../../src/main/host/csv';

/** The CsvError a promise is refused with (and a failed expectation when it is not). */
export async function csvError(p: Promise<unknown>): Promise<CsvError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CsvError);
  return e as CsvError;
}
