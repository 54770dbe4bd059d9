/** Shared by the integration tests: the built app's paths, temp folders and generated data. */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { EventName, Events } from '../../src/shared/api';
import type { Host } from '../../src/main/host/host';

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
