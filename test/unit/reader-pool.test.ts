/**
 * The reader threads' pool when a thread fails: the job it had is refused with a sentence, the
 * next job gets a working thread, and a thread failing while idle never takes the host down.
 * A stand-in reader (a small ES module) plays the thread's part.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runInReader, useBuiltReader } from '../../src/main/host/reader-pool';

const dir = mkdtempSync(join(tmpdir(), 'latent-lab-reader-pool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Answers {echo: job}; 'crash' throws at once, 'crash-later' answers and then throws while idle.
const reader = join(dir, 'reader.mjs');
writeFileSync(
  reader,
  `import { parentPort } from 'node:worker_threads';
parentPort.on('message', (job) => {
  if (job === 'crash') throw new Error('stand-in crash');
  parentPort.postMessage({ result: { echo: job } });
  if (job === 'crash-later') setTimeout(() => { throw new Error('idle crash'); }, 50);
});
`,
);
useBuiltReader(reader);

describe('the reader pool when a thread fails', () => {
  it('refuses the failed job with a sentence, and gives the next job a working thread', async () => {
    await expect(runInReader('crash')).rejects.toThrow(
      /the thread reading the file stopped \(stand-in crash\)/,
    );
    await expect(runInReader('after')).resolves.toEqual({ echo: 'after' });
  });

  it('survives a thread that fails while idle, and keeps answering', async () => {
    await expect(runInReader('crash-later')).resolves.toEqual({ echo: 'crash-later' });
    await new Promise((r) => setTimeout(r, 200)); // the idle thread fails meanwhile
    await expect(runInReader('again')).resolves.toEqual({ echo: 'again' });
  });

  it('runs jobs beyond the threads at once, each answered', async () => {
    const jobs = Array.from({ length: 9 }, (_, i) => runInReader(`job ${i}`));
    expect(await Promise.all(jobs)).toEqual(
      Array.from({ length: 9 }, (_, i) => ({ echo: `job ${i}` })),
    );
  });
});
