/**
 * Export and import against hostile folders and files (issue 19): special file systems, links
 * that an overwrite must not write through, a run name with a control character; FIFOs and
 * symbolic links in an import folder, oversized and malformed files. Each refusal is a sentence
 * naming the file, and nothing is stored.
 */
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  constants,
  linkSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mcmcParams } from '../../src/shared/algorithms/mcmc';
import type { ApiError, RunInfo } from '../../src/shared/api';
import { samplerStats } from '../../src/shared/draws';
import {
  MAX_IMPORTED_METRIC_POINTS,
  exportRuns,
  importRunFolder,
  parseMetricsCsv,
} from '../../src/main/host/export';
import { Store } from '../../src/main/host/store';
import { insertGmmRun, twoComponents } from '../fixtures/runs/gmm-run';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'latent-lab-hostile-'));
  store = new Store(join(dir, 'test.db'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const mixture = twoComponents;
const gmmRun = (name = 'fit'): RunInfo => insertGmmRun(store, { name });

/** A Metropolis run on a 2-D preset with three draws of one chain. */
function samplingRun(): RunInfo {
  const run = store.createRun({
    name: 'draws',
    algorithm: 'mcmc',
    datasetId: null,
    datasetName: '',
    columns: [],
    params: mcmcParams.parse({ target: 'banana', sampler: 'metropolis' }),
    seed: 1,
  });
  const names = [...samplerStats, 'x', 'y'];
  // lp, accept, step size, depth, leapfrog, divergent, energy (NaN: Metropolis has none), x, y
  const row = (x: number) => [-1, 0.5, 0.3, 0, 0, 0, NaN, x, -x];
  store.insertArtifact(run.id, {
    kind: 'draws',
    step: 2,
    meta: { role: 'chunk', from: 0, count: 3, chains: 1, names, warmup: 0, total: 3 },
    data: Float64Array.from([...row(0.1), ...row(0.2), ...row(0.3)]),
  });
  store.finishRun(run.id, 'completed', { summary: {} });
  return store.getRun(run.id)!;
}

async function exported(run: RunInfo, name = 'good'): Promise<string> {
  const out = join(dir, name);
  await exportRuns(store, [run.id], out, { overwrite: false, appVersion: 'test' });
  return out;
}

/** The refusal of a promise, or a failure when it is not refused within `ms`. */
async function refusedWithin(p: Promise<unknown>, ms: number): Promise<ApiError> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    const e = await Promise.race([p, late]).then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeTruthy();
    expect((e as Error).message).not.toMatch(/^no answer within/);
    return e as ApiError;
  } finally {
    clearTimeout(timer);
  }
}

const runCount = () => store.listRuns().length;

describe('the export folder', () => {
  it('refuses /proc, /sys, /dev and a path under a file, each in under a second', async () => {
    const run = gmmRun();
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const cases: [string, RegExp][] = [
      ['/proc/self/x', /system file system/],
      ['/proc/self/fd/new', /system file system/],
      ['/sys/kernel/x', /system file system/],
      ['/dev/x/y', /system file system/],
      [join(file, 'inside'), /a-file is a file, not a folder/],
    ];
    for (const [path, reason] of cases) {
      const started = performance.now();
      const e = await refusedWithin(
        exportRuns(store, [run.id], path, { overwrite: true, appVersion: 'test' }),
        5000,
      );
      // The budget the issue asks for (generous: a refusal is a few stat calls).
      expect(performance.now() - started, path).toBeLessThan(1000);
      expect(e, path).toMatchObject({ code: 'conflict', message: expect.stringMatching(reason) });
    }
    // Nothing was left spinning: an ordinary export still answers.
    await expect(exported(run)).resolves.toBeTruthy();
  });

  it('never writes through a hard link or a symbolic link when overwriting', async () => {
    const run = gmmRun();
    const out = await exported(run);
    const precious = join(dir, 'precious.txt');
    const secret = join(dir, 'secret.txt');
    writeFileSync(precious, 'mine');
    writeFileSync(secret, 'also mine');
    unlinkSync(join(out, 'params.json'));
    linkSync(precious, join(out, 'params.json'));
    unlinkSync(join(out, 'summary.json'));
    symlinkSync(secret, join(out, 'summary.json'));
    await exportRuns(store, [run.id], out, { overwrite: true, appVersion: 'test' });
    expect(readFileSync(precious, 'utf8')).toBe('mine');
    expect(readFileSync(secret, 'utf8')).toBe('also mine');
    expect(JSON.parse(readFileSync(join(out, 'params.json'), 'utf8'))).toMatchObject({
      algorithm: 'gmm',
    });
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))).toMatchObject(mixture);
    // Nothing but the export's own files (no staging folder left behind).
    expect(readdirSync(out).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('exports a comparison of runs named with control characters', async () => {
    const a = gmmRun('bell\u0007 and\u0001 nul\u0000');
    const b = gmmRun('tab\there, escape\u001b[31m');
    const out = join(dir, 'compare');
    const r = await exportRuns(store, [a.id, b.id], out, { overwrite: false, appVersion: 'test' });
    expect(r.files).toContain('meanLogLikelihood.png');
    const svg = readFileSync(join(out, 'meanLogLikelihood.svg'), 'utf8');
    expect(svg).toContain('bell\uFFFD and\uFFFD nul\uFFFD');
    // eslint-disable-next-line no-control-regex -- the point: none is left in the SVG
    expect(svg).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
    const comparison = JSON.parse(readFileSync(join(out, 'comparison.json'), 'utf8')) as {
      runs: { name: string }[];
    };
    expect(comparison.runs.map((x) => x.name)).toEqual([a.name, b.name]);
  });
});

describe('import folder hygiene', () => {
  it('refuses a FIFO at once, and later file operations still answer', async () => {
    const good = await exported(gmmRun());
    const bad = join(dir, 'fifo');
    await exportRuns(store, [gmmRun().id], bad, { overwrite: false, appVersion: 'test' });
    const before = runCount();
    for (const name of ['summary.json', 'metrics.csv', 'model.json']) {
      rmSync(join(bad, name));
      execFileSync('mkfifo', [join(bad, name)]);
      try {
        const e = await refusedWithin(importRunFolder(store, bad), 3000);
        expect(e, name).toMatchObject({
          code: 'bad-data',
          message: `${name}: not a regular file (a FIFO, a device, a socket or a folder); an import reads only regular files`,
        });
      } finally {
        // A reader still blocked on the FIFO (before the fix) gets its end of file.
        try {
          closeSync(openSync(join(bad, name), constants.O_WRONLY | constants.O_NONBLOCK));
        } catch {
          // no reader: nothing to release
        }
        rmSync(join(bad, name));
        writeFileSync(join(bad, name), readFileSync(join(good, name)));
      }
    }
    // More imports than the file-system thread pool has threads: each still answers.
    for (let i = 0; i < 5; i++) await importRunFolder(store, good);
    expect(runCount()).toBe(before + 5);
  });

  it('refuses symbolic links to files outside the folder, and to files inside it', async () => {
    const good = await exported(gmmRun());
    const outside = join(dir, 'outside.json');
    writeFileSync(outside, JSON.stringify({ secret: 'from elsewhere' }));
    const before = runCount();
    for (const [name, target] of [
      ['summary.json', outside],
      ['params.json', join(good, 'params.json')],
      ['metrics.csv', '/etc/hostname'],
    ]) {
      const folder = join(dir, `link-${name}`);
      await exportRuns(store, [gmmRun().id], folder, { overwrite: false, appVersion: 'test' });
      rmSync(join(folder, name));
      symlinkSync(target, join(folder, name));
      await expect(importRunFolder(store, folder), name).rejects.toMatchObject({
        code: 'bad-data',
        message: `${name}: a symbolic link; an import reads only the folder's own regular files`,
      });
    }
    expect(runCount()).toBe(before + 3); // the three exported, none imported
  });

  it('refuses a file larger than an import reads, without reading it', async () => {
    const folder = await exported(gmmRun());
    truncateSync(join(folder, 'params.json'), 65 * 1024 * 1024); // sparse: nothing on disk
    await expect(importRunFolder(store, folder)).rejects.toMatchObject({
      code: 'bad-data',
      message: 'params.json: 68,157,440 bytes, more than the 67,108,864 an import reads of it',
    });
  });

  it('refuses each malformed file with a sentence naming it, storing nothing', async () => {
    const gmm = await exported(gmmRun(), 'gmm');
    const sampled = await exported(samplingRun(), 'sampled');
    const before = { runs: runCount() };
    const edit = (file: string, change: (value: Record<string, unknown>) => unknown) =>
      writeFileSync(
        file,
        JSON.stringify(change(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)),
      );
    const cases: [string, string, (d: string) => void, string | RegExp][] = [
      [
        'algorithm __proto__',
        gmm,
        (d) => edit(join(d, 'params.json'), (p) => ({ ...p, algorithm: '__proto__' })),
        'params.json: unknown algorithm "__proto__"',
      ],
      [
        'three weights for two components',
        gmm,
        (d) => edit(join(d, 'model.json'), (m) => ({ ...m, weights: [0.2, 0.3, 0.5] })),
        'model.json: 3 weights, 2 means and 2 covariance matrices; a mixture has one of each per component',
      ],
      [
        'a mean of the wrong size',
        gmm,
        (d) =>
          edit(join(d, 'model.json'), (m) => ({
            ...m,
            means: [
              [0, 1, 2],
              [2, 3, 4],
            ],
          })),
        'model.json: component 1 has 3 values where the run has 2 columns',
      ],
      [
        'weights that do not sum to 1',
        gmm,
        (d) => edit(join(d, 'summary.json'), (m) => ({ ...m, weights: [0.5, 0.75] })),
        'summary.json: the weights must be non-negative and sum to 1 (they sum to 1.25)',
      ],
      [
        'a NaN draw',
        sampled,
        (d) => {
          const csv = readFileSync(join(d, 'draws.csv'), 'utf8').split('\n');
          csv[2] = csv[2].replace(/,0\.2,-0\.2$/, ',NaN,-0.2');
          writeFileSync(join(d, 'draws.csv'), csv.join('\n'));
        },
        'draws.csv, line 3: x is "NaN"; draws are finite numbers (only energy__ may be NaN)',
      ],
      [
        'an infinite statistic',
        sampled,
        (d) => {
          const csv = readFileSync(join(d, 'draws.csv'), 'utf8').split('\n');
          csv[1] = csv[1].replace(/^1,1,0,-1,/, '1,1,0,-Infinity,');
          writeFileSync(join(d, 'draws.csv'), csv.join('\n'));
        },
        'draws.csv, line 2: lp__ is "-Infinity"; draws are finite numbers (only energy__ may be NaN)',
      ],
      [
        'a metrics line too long',
        gmm,
        (d) =>
          writeFileSync(join(d, 'metrics.csv'), `step,a,wall_ms\n1,${'9'.repeat(3 << 20)},0\n`),
        'metrics.csv, line 2: longer than 1048576 characters',
      ],
    ];
    for (const [what, good, spoil, reason] of cases) {
      const folder = join(dir, `bad-${what.replace(/ /g, '-')}`);
      execFileSync('cp', ['-r', good, folder]);
      spoil(folder);
      await expect(importRunFolder(store, folder), what).rejects.toMatchObject({
        code: 'bad-data',
        message: typeof reason === 'string' ? reason : expect.stringMatching(reason),
      });
    }
    expect({ runs: runCount() }).toEqual(before);
    // The untouched folders import (energy__ NaN is a Metropolis run's, not a broken draw).
    await expect(importRunFolder(store, gmm)).resolves.toMatchObject({ status: 'completed' });
    await expect(importRunFolder(store, sampled)).resolves.toMatchObject({ algorithm: 'mcmc' });
  });

  it('caps the metric points of an imported run', () => {
    expect(MAX_IMPORTED_METRIC_POINTS).toBe(2_000_000);
    const text = ['step,a,b,wall_ms', '0,1,2,0', '1,1,2,1', '2,1,,2'].join('\n');
    expect(parseMetricsCsv(text, 'metrics.csv', 5)).toHaveLength(5);
    expect(() => parseMetricsCsv(`${text}\n3,,2,3\n`, 'metrics.csv', 5)).toThrow(
      'metrics.csv, line 5: more than 5 metric points; an imported run keeps at most 5 (thin the file first, e.g. every 10th step)',
    );
  });
});
