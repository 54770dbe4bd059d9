/**
 * Threads that read data files (worker_threads running table-reader.ts), so that parsing a big
 * file never holds up the host's event loop, and a big numeric file is read by several at once.
 * A job goes to an idle thread or a new one (at most one per core); results come back with their
 * typed arrays moved, not copied. Idle threads do not keep the process alive; they end after a
 * minute unless the shell keeps them warm.
 */
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { localText, type LocalText } from '../../shared/i18n';
import { CsvError } from './table-scan';

/** What a reader thread sends: bytes read since its last word (progress), then a result or an error. */
export type ReaderMessage =
  | { bytes: number }
  | { result: unknown }
  | { error: { text: LocalText | undefined; message: string; refusal: boolean } };

const IDLE_MS = 60_000;

interface Reader {
  worker: Worker;
  busy: boolean;
  idle: ReturnType<typeof setTimeout> | null;
}

const readers: Reader[] = [];
const waiting: ((reader: Reader) => void)[] = [];

/** Threads reading at once: one per core, at most four. */
export const readerThreads = Math.max(1, Math.min(4, availableParallelism()));

/** A built entry to run instead of the source's (the import benchmark times the built reader). */
let builtEntry: string | null = null;

/** From source, run the built reader entry instead (benchmarks: the code the app runs). */
export function useBuiltReader(entry: string): void {
  builtEntry = entry;
}

/**
 * The reader's entry: built, out/main/table-reader.js beside the entry that bundles this module
 * (or above its chunks/ folder); from source (the tests, the benchmarks under tsx), table-reader.ts
 * compiled by tsx's loader, which a worker thread must register for itself.
 */
function spawnReader(): Worker {
  if (builtEntry) return new Worker(builtEntry);
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    // tsx's CommonJS entry fails to register in a worker; its ES module beside it works.
    const tsx = createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs');
    const entry = pathToFileURL(join(dirname(here), 'table-reader.ts')).href;
    return new Worker(
      `import(${JSON.stringify(pathToFileURL(tsx).href)})` +
        `.then((t) => { t.register(); return import(${JSON.stringify(entry)}); });`,
      { eval: true },
    );
  }
  const dir = dirname(here);
  return new Worker(join(basename(dir) === 'chunks' ? dirname(dir) : dir, 'table-reader.js'));
}

/** Whether idle threads stay (the interactive shells) or end after a minute. */
let keepWarm = false;

/** A thread that failed or is ending leaves the pool at once: no job is ever given to it. */
function retire(reader: Reader): void {
  const at = readers.indexOf(reader);
  if (at >= 0) readers.splice(at, 1);
  if (reader.idle) clearTimeout(reader.idle);
}

function newReader(): Reader {
  const reader: Reader = { worker: spawnReader(), busy: false, idle: null };
  // Always listened to: an error of an idle thread must not become the host's uncaught exception.
  reader.worker.on('error', () => retire(reader));
  reader.worker.on('exit', () => retire(reader));
  reader.worker.unref();
  readers.push(reader);
  return reader;
}

function take(): Promise<Reader> {
  const reader =
    readers.find((r) => !r.busy) ?? (readers.length < readerThreads ? newReader() : null);
  if (!reader) return new Promise((resolve) => waiting.push(resolve));
  reader.busy = true;
  if (reader.idle) clearTimeout(reader.idle);
  reader.worker.ref();
  return Promise.resolve(reader);
}

/** A job's thread is free again: to the next job waiting, or idle. */
function release(reader: Reader): void {
  if (!readers.includes(reader)) {
    // It died: a job waiting for a thread gets a new one.
    const next = waiting.shift();
    if (next) void take().then(next);
    return;
  }
  const next = waiting.shift();
  if (next) return next(reader);
  reader.busy = false;
  reader.worker.unref();
  if (keepWarm) return;
  reader.idle = setTimeout(() => {
    retire(reader);
    void reader.worker.terminate();
  }, IDLE_MS);
  reader.idle.unref();
}

/**
 * Starts every reader thread now and keeps them: the interactive shells read the first big file
 * without waiting ~0.1–0.3 s for threads to load their code. Resolves once all are ready.
 */
export async function warmReaders(): Promise<void> {
  keepWarm = true;
  for (const r of readers) if (r.idle) clearTimeout(r.idle);
  await Promise.all(
    Array.from({ length: readerThreads - readers.length }, () => runInReader({ kind: 'ping' })),
  );
}

/** Runs a job on a reader thread; `onBytes` hears how many bytes it has read so far. */
export async function runInReader<T>(job: unknown, onBytes?: (bytes: number) => void): Promise<T> {
  const reader = await take();
  const { worker } = reader;
  try {
    return await new Promise<T>((resolve, reject) => {
      const onMessage = (m: ReaderMessage) => {
        if ('bytes' in m) return onBytes?.(m.bytes);
        done();
        if ('result' in m) resolve(m.result as T);
        // A refusal of the file is the file's; anything else is this program's own failure.
        else if (m.error.refusal) reject(new CsvError(m.error.text ?? m.error.message));
        else reject(new Error(m.error.message));
      };
      // A thread that dies (out of memory, say) takes only its job with it.
      const onError = (e: Error) => {
        done();
        retire(reader);
        reject(new CsvError(localText('csv.readerFailed', { reason: e.message })));
      };
      const onExit = (code: number) => onError(new Error(`exit code ${code}`));
      const onMessageError = (e: Error) => {
        retire(reader);
        void worker.terminate();
        onError(e);
      };
      const done = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        worker.off('messageerror', onMessageError);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.on('messageerror', onMessageError);
      worker.postMessage(job);
    });
  } finally {
    release(reader);
  }
}
