/**
 * `npm run bench`: runs every benchmark in bench/ in its own process (tfjs keeps global state),
 * prints each one's JSON line on stdout and writes them all to bench/results/latest.json.
 * A benchmark is a script that prints exactly one JSON object on its last line of stdout.
 * BENCH_REFERENCE=1 makes the GMM, VAE, GAN and RBM benchmarks run their reference script
 * (scikit-learn, PyTorch) right before themselves and print the same-run ratio (reference.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && f !== 'reference.ts')
  .filter((f) => only.length === 0 || only.includes(f.replace(/\.ts$/, '')));

const results: unknown[] = [];
for (const file of files) {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(here, file)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: process.env,
  });
  const last = out.trim().split('\n').at(-1) ?? '';
  const result = JSON.parse(last) as unknown;
  results.push(result);
  console.log(JSON.stringify(result));
}
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(
  join(here, 'results', 'latest.json'),
  JSON.stringify({ date: new Date().toISOString(), node: process.version, results }, null, 2) +
    '\n',
);
