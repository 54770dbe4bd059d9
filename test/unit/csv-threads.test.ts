/**
 * Reading on reader threads (reader-pool.ts): a file cut into stretches read at once, or read
 * whole by one thread, must give what one pass on this thread gives — rows, counts, examples and
 * their lines, labels, warnings, refusals and the lines they name. The tuning makes small files
 * take the threaded paths.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanFile, type ReadTuning } from '../../src/main/host/csv';
import type { ReadOptions } from '../../src/shared/api';
import { outcome, randomTable } from './csv-random';

const dir = mkdtempSync(join(tmpdir(), 'latent-lab-csv-threads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const here: ReadTuning = { threadsFrom: Infinity, stretchesFrom: Infinity, stretches: 1 };
const stretches = (n: number): ReadTuning => ({ threadsFrom: 0, stretchesFrom: 0, stretches: n });
const oneThread: ReadTuning = { threadsFrom: 0, stretchesFrom: Infinity, stretches: 1 };

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function read(path: string, tuning: ReadTuning, options: ReadOptions = {}) {
  return scanFile({ kind: 'path', path }, options, undefined, tuning).then(outcome, (e: Error) => ({
    refused: e.message,
  }));
}

describe('reading on reader threads', () => {
  it.each(Array.from({ length: 24 }, (_, i) => [i + 1, 2 + (i % 3), i % 4 === 3]))(
    'reads random file %i in %i stretches as one pass does (decimal comma: %s)',
    async (seed, count, decimalComma) => {
      const { text, delimiter } = randomTable(seed, decimalComma, 300 + seed * 40);
      const path = write(`r${seed}.csv`, text);
      const options = {
        delimiter: delimiter as ReadOptions['delimiter'],
        decimal: decimalComma ? (',' as const) : ('.' as const),
      };
      const onePass = await read(path, here, options);
      expect(onePass).not.toHaveProperty('refused');
      expect(await read(path, stretches(count), options)).toEqual(onePass);
      expect(await read(path, oneThread, options)).toEqual(onePass);
    },
  );

  it('names the right line of a ragged row in a later stretch', async () => {
    const lines = ['a,b'];
    for (let i = 2; i <= 5000; i++) lines.push(i === 4321 ? '1,2,3' : `${i},${i / 2}`);
    const path = write('ragged.csv', lines.join('\n') + '\n');
    const onePass = await read(path, here);
    expect(onePass).toEqual({ refused: expect.stringContaining('line 4321 has 3 fields') });
    expect(await read(path, stretches(3))).toEqual(onePass);
  });

  it('names the line of a missing cell in a later stretch when the import refuses it', async () => {
    const lines = ['a,b'];
    for (let i = 2; i <= 5000; i++) lines.push(i === 4500 ? `${i},` : `${i},1`);
    const path = write('missing-cell.csv', lines.join('\n'));
    const refusal = async (tuning: ReadTuning) =>
      (await scanFile({ kind: 'path', path }, {}, undefined, tuning)).numeric({}).rows;
    await expect(refusal(here)).rejects.toThrow(/line 4500/);
    await expect(refusal(stretches(3))).rejects.toThrow(/line 4500/);
  });

  it('counts stray cells and names the first one by its line across stretches', async () => {
    const lines = ['x,y'];
    for (let i = 2; i <= 3000; i++)
      lines.push(i === 2500 ? 'five,1' : i % 7 === 0 ? `${i},` : `${i},${i % 3}`);
    const path = write('strays.csv', lines.join('\r\n'));
    const onePass = await read(path, here);
    expect(JSON.stringify(onePass)).toContain('"line":2500');
    expect(await read(path, stretches(4))).toEqual(onePass);
  });

  it('joins the label dictionaries of every stretch in order of first appearance', async () => {
    const words = ['setosa', 'versicolor', 'virginica', '山鸢尾'];
    const lines = ['x,species'];
    // The later stretches meet the words in another order, and the last one only there.
    for (let i = 0; i < 4000; i++)
      lines.push(`${i},${words[i < 1500 ? i % 3 : i < 3000 ? 2 - (i % 3) : 3 - (i % 2)]}`);
    const path = write('labels.csv', lines.join('\n'));
    const labels = async (tuning: ReadTuning) => {
      const table = await scanFile({ kind: 'path', path }, {}, undefined, tuning);
      const { labels } = table.numeric({ labelColumn: 'species' });
      return { names: labels!.names, codes: Array.from(labels!.codes) };
    };
    const onePass = await labels(here);
    expect(onePass.names).toEqual(['setosa', 'versicolor', 'virginica', '山鸢尾']);
    expect(await labels(stretches(3))).toEqual(onePass);
  });

  it('leaves a file whose later stretch holds a quote to papaparse, as one pass does', async () => {
    const lines = ['a,b'];
    for (let i = 2; i <= 3000; i++) lines.push(i === 2900 ? '"1,5",2' : `${i},${i}`);
    const path = write('quoted.csv', lines.join('\n'));
    const onePass = await read(path, here);
    expect(JSON.stringify(onePass)).toContain('"value":"1,5","line":2900');
    expect(await read(path, stretches(2))).toEqual(onePass);
  });

  it('reads a file whose first stretch is too short to judge the header whole', async () => {
    const long = 'y'.repeat(200_000);
    const path = write('short.csv', `name,v\n${long},1\n${long},2\n` + '1,2\n'.repeat(50));
    expect(await read(path, stretches(2))).toEqual(await read(path, here));
  });

  it('reports progress that ends at 1 when threads read', async () => {
    const lines = ['a,b'];
    for (let i = 0; i < 20_000; i++) lines.push(`${i},${i * 2}`);
    const path = write('progress.csv', lines.join('\n'));
    const seen: number[] = [];
    await scanFile({ kind: 'path', path }, {}, (f) => seen.push(f), stretches(2));
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.at(-1)).toBe(1);
    expect(seen.slice(0, -1).every((f) => f > 0 && f < 1)).toBe(true);
  });

  it('refuses a file that is gone with a sentence, from a thread too', async () => {
    const path = join(dir, 'missing.csv');
    expect(await read(path, oneThread)).toEqual({
      refused: expect.stringContaining('ENOENT'),
    });
  });
});
