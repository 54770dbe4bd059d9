/** Shared by the integration tests: the built app's paths, temp folders and generated data. */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import { ApiError, type EventName, type Events } from '../../src/shared/api';
import { forkLauncher } from '../../src/main/host/fork-launcher';
import { createHost, type Host, type HostOptions } from '../../src/main/host/host';

export const root = resolve(__dirname, '../..');
export const resourcesDir = join(root, 'resources');
export const workerPath = join(root, 'out', 'main', 'worker.js');
export const cliPath = join(root, 'out', 'main', 'cli.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** The tests run the built worker and CLI: refuse to test a missing or stale build. */
export function requireBuilt(file: string, sources: string[]): void {
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
  const built = statSync(file).mtimeMs;
  for (const s of sources) {
    if (newestMtime(join(root, s)) > built)
      throw new Error(`${file} is older than ${s}: run \`npm run build\` first`);
  }
}

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `latent-lab-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TestHost {
  host: Host;
  /** The test's own temp folder (the database is here, or in its `dataIn` subfolder). */
  dir: string;
  /** Closes the host (if still open) and removes the folder. */
  close(): void;
  /** Closes the host only (a test that then uses the database from the CLI). */
  closeHost(): void;
}

/**
 * A host on a fresh temp folder running real worker processes (the built worker), for the tests
 * of one file: open it in `beforeAll`, close it in `afterAll`. Options override createHost's.
 */
export async function openTestHost(
  prefix: string,
  options: Partial<Omit<HostOptions, 'dataDir' | 'dbPath'>> & {
    /** The data folder's name inside the temp folder (default: the temp folder itself). */
    dataIn?: string;
    /** The database's file name inside the temp folder (default: in the data folder). */
    dbFile?: string;
  } = {},
): Promise<TestHost> {
  // Runs go to the built worker unless the test launches its own.
  if (!options.launchWorker) requireBuilt(workerPath, ['src/main', 'src/shared']);
  const tmp = tempDir(prefix);
  const { dataIn, dbFile, ...hostOptions } = options;
  try {
    const host = await createHost({
      dataDir: dataIn ? join(tmp.dir, dataIn) : tmp.dir,
      ...(dbFile ? { dbPath: join(tmp.dir, dbFile) } : {}),
      resourcesDir,
      launchWorker: forkLauncher(workerPath, process.env),
      ...hostOptions,
    });
    let open = true;
    return {
      host,
      dir: tmp.dir,
      close() {
        if (open) host.close();
        open = false;
        tmp.remove();
      },
      closeHost() {
        if (open) host.close();
        open = false;
      },
    };
  } catch (e) {
    tmp.remove();
    throw e;
  }
}

/**
 * A CSV EM needs many iterations on: uniform noise in `cols` dimensions (no clusters to find),
 * from a fixed linear congruential generator so every run sees the same file.
 */
export function writeNoiseCsv(file: string, rows: number, cols: number): void {
  let state = 12345;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const lines = [Array.from({ length: cols }, (_, j) => `c${j + 1}`).join(',')];
  for (let i = 0; i < rows; i++)
    lines.push(Array.from({ length: cols }, () => (next() * 10).toFixed(4)).join(','));
  writeFileSync(file, lines.join('\n') + '\n');
}

/** Resolves with the first payload of `event` for which `predicate` holds. */
export function waitForEvent<E extends EventName>(
  host: Host,
  event: E,
  predicate: (payload: Events[E]) => boolean,
): Promise<Events[E]> {
  return new Promise((resolve) => {
    const off = host.on(event, (payload) => {
      if (!predicate(payload)) return;
      off();
      resolve(payload);
    });
  });
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The built CLI on database `db`, its data folder `dataDir` (no bundled set is read elsewhere). */
export function runCli(args: string[], db: string, dataDir: string): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cliPath, ...args, '--db', db],
      { env: { ...process.env, LATENT_LAB_DATA_DIR: dataDir }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The ApiError a call is refused with (and a failed expectation when it is not refused). */
export async function refusal(p: Promise<unknown>): Promise<ApiError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ApiError);
  return e as ApiError;
}
