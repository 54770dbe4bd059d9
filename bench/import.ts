/**
 * Importing a big CSV (1,000,000 rows × 10 columns of doubles, ~100 MB; `IMPORT_BENCH_ROWS`
 * changes the rows) into a fresh database: seconds and the process's peak RSS, each measured in a
 * fresh process of its own, five times, medians reported. Beside it, in the same run, pandas'
 * `read_csv` on the same file (Debian's /usr/bin/python3 with python3-pandas; see
 * ../shared/reference/README.md), and the ratio ours / pandas. Without pandas the reference is
 * reported as unavailable, never guessed.
 *
 * `--ours FILE [READER]` measures one import (READER: the built reader entry) and prints one JSON
 * line.
 */
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  createWriteStream,
  existsSync,
  fsyncSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importCsv } from '../src/main/host/datasets';
import { readerThreads, useBuiltReader, warmReaders } from '../src/main/host/reader-pool';
import { Store } from '../src/main/host/store';

const COLUMNS = 10;
const RUNS = 5;

interface Measured {
  seconds: number;
  peakRssMB: number;
}

async function ours(path: string, reader: string | undefined): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'latent-lab-import-bench-db-'));
  const store = new Store(join(dir, 'bench.db'));
  if (reader) useBuiltReader(reader);
  try {
    // As the desktop app and the web shell do at launch (host.ts); not timed.
    await warmReaders();
    const start = performance.now();
    const { dataset } = await importCsv(store, { kind: 'path', path }, { name: 'big' });
    const seconds = (performance.now() - start) / 1000;
    if (dataset.rows === 0) throw new Error('nothing imported');
    console.log(
      JSON.stringify({
        seconds,
        peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      } satisfies Measured),
    );
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const pandasScript = `
import json, resource, sys, time
import pandas as pd
start = time.perf_counter()
frame = pd.read_csv(sys.argv[1])
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "peakRssMB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                  "pandas": pd.__version__, "rows": len(frame)}))
`;

async function writeCsv(path: string, rows: number): Promise<void> {
  let seed = 1;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const out = createWriteStream(path);
  const write = (text: string) =>
    new Promise<void>((resolve) => (out.write(text) ? resolve() : out.once('drain', resolve)));
  await write(Array.from({ length: COLUMNS }, (_, j) => `x${j}`).join(',') + '\n');
  let block: string[] = [];
  for (let i = 0; i < rows; i++) {
    block.push(Array.from({ length: COLUMNS }, () => (random() * 200 - 100).toFixed(6)).join(','));
    if (block.length === 10_000 || i === rows - 1) {
      await write(block.join('\n') + '\n');
      block = [];
    }
  }
  await new Promise<void>((resolve) => out.end(resolve));
  // On disk before anything is timed: a user's file was written long before its import, and its
  // pages still being written back would slow the database's writes (and not pandas').
  const fd = openSync(path, 'r');
  fsyncSync(fd);
  closeSync(fd);
}

/**
 * The reader threads' built entry, when `npm run build` is newer than the sources: timed as the
 * app runs it (from source, each thread would first compile TypeScript).
 */
function builtReader(): string | null {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const file = join(root, 'out', 'main', 'table-reader.js');
  if (!existsSync(file)) return null;
  const built = statSync(file).mtimeMs;
  const newer = (dir: string) =>
    readdirSync(dir, { recursive: true }).some(
      (f) => statSync(join(dir, String(f))).mtimeMs > built,
    );
  return newer(join(root, 'src', 'main')) || newer(join(root, 'src', 'shared')) ? null : file;
}

function measure(args: string[], command = process.execPath): Measured & { pandas?: string } {
  const out = execFileSync(command, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Measured & { pandas?: string };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

if (process.argv[2] === '--ours') {
  await ours(process.argv[3], process.argv[4]);
} else {
  const rows = Number(process.env.IMPORT_BENCH_ROWS ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'latent-lab-import-bench-'));
  try {
    const path = join(dir, 'big.csv');
    await writeCsv(path, rows);
    const self = fileURLToPath(import.meta.url);
    const oursRuns: Measured[] = [];
    const pandasRuns: (Measured & { pandas?: string })[] = [];
    let pandasError: string | null = null;
    // Alternated, so a slow moment of the machine falls on both.
    const reader = builtReader();
    for (let r = 0; r < RUNS; r++) {
      oursRuns.push(
        measure(['--import', 'tsx', self, '--ours', path, ...(reader ? [reader] : [])]),
      );
      if (pandasError === null)
        try {
          pandasRuns.push(measure(['-c', pandasScript, path], '/usr/bin/python3'));
        } catch (e) {
          pandasError = (e as Error).message.split('\n').find((l) => /Error/.test(l)) ?? 'failed';
        }
    }
    const seconds = median(oursRuns.map((m) => m.seconds));
    const pandasSeconds = pandasRuns.length ? median(pandasRuns.map((m) => m.seconds)) : null;
    console.log(
      JSON.stringify({
        benchmark: 'import',
        file: `${rows} × ${COLUMNS}`,
        fileMB: round(statSync(path).size / 1e6, 1),
        seconds: round(seconds),
        peakRssMB: median(oursRuns.map((m) => m.peakRssMB)),
        readers: `${readerThreads} threads, started before the clock as the app starts them; ${
          reader ? 'built entry' : 'compiled from source by tsx (run `npm run build` first)'
        }`,
        reference: pandasSeconds
          ? {
              what: `pandas ${pandasRuns[0].pandas} read_csv, same file, same run`,
              seconds: round(pandasSeconds),
              peakRssMB: median(pandasRuns.map((m) => m.peakRssMB)),
            }
          : { what: 'pandas read_csv', unavailable: pandasError },
        ratio: pandasSeconds ? round(seconds / pandasSeconds) : null,
        target: 'ratio ≤ 1 (at most pandas’ time)',
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
