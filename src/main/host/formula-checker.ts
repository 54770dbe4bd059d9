/**
 * Typed formulas are checked and compiled in a worker thread (`formula-thread.ts`), never on the
 * host's main thread: a formula whose derivatives explode (sin nested 90 deep around a product of
 * 270 variables took 72 s and 3.3 GB there) cannot stall other requests. The compiler bounds its
 * own work by size (nodes in the formula and in its derivatives); this adds a time budget: a
 * formula still working after FORMULA_TIME_BUDGET_MS is refused and its thread ended, and the
 * next formula gets a fresh one. Formulas wait in a short queue, one thread for all.
 */
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { inEnglish, localText, localTextSchema, type LocalText } from '../../shared/i18n';
import type { CompiledFormulaResult, FormulaError } from '../engine/sampling/formula';
import { compiledFormulaSchema } from '../engine/sampling/formula-target';

/** The longest one formula may take to parse, differentiate and compile. */
export const FORMULA_TIME_BUDGET_MS = 3000;
/** Formulas waiting for the thread at most; more are refused at once. */
export const MAX_WAITING_FORMULAS = 32;
/** Past this, a check replaced by a newer one ends the thread rather than being waited for. */
const SUPERSEDED_KILL_AFTER_MS = 200;
/** A thread that does not come up in this long has failed (loading mathjs takes ~1 s). */
const THREAD_START_LIMIT_MS = 60_000;

export const formulaJobSchema = z.object({
  id: z.number().int(),
  source: z.string(),
  dim: z.number().int().positive().optional(),
});
export type FormulaJob = z.infer<typeof formulaJobSchema>;

const formulaErrorSchema = z.object({
  message: z.string(),
  text: localTextSchema,
  start: z.number().int(),
  end: z.number().int(),
});
const threadMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({
    type: z.literal('result'),
    id: z.number().int(),
    result: z.union([
      z.object({ compiled: compiledFormulaSchema, derivatives: z.array(z.string()) }),
      z.object({ error: formulaErrorSchema }),
    ]),
  }),
  z.object({ type: z.literal('failed'), id: z.number().int(), message: z.string() }),
]);
export type FormulaThreadMessage =
  | { type: 'ready' }
  | { type: 'result'; id: number; result: CompiledFormulaResult }
  | { type: 'failed'; id: number; message: string };

/** What a check comes to: the compiler's answer, or 'superseded' by a newer check. */
export type FormulaOutcome = CompiledFormulaResult | 'superseded';

interface Job extends FormulaJob {
  /** Checks with the same channel replace one another (one form's successive checks). */
  channel?: string;
  settle(outcome: FormulaOutcome): void;
  fail(error: Error): void;
}

export interface FormulaCheckerOptions {
  /** The built thread (`out/main/formula-thread.js`); without it, the TypeScript source via tsx. */
  threadPath?: string;
  timeBudgetMs?: number;
}

/** A refusal of the whole formula (it is not one place in it that is wrong). */
function refusal(
  key: 'formula.tooSlow' | 'formula.busy',
  vars: LocalText['vars'],
  source: string,
): { error: FormulaError } {
  const text = localText(key, vars);
  return { error: { message: inEnglish(text), text, start: 0, end: source.length } };
}

export class FormulaChecker {
  private thread: Worker | null = null;
  private ready = false;
  private running: (Job & { startedAt: number; timer: NodeJS.Timeout }) | null = null;
  private readonly waiting: Job[] = [];
  private nextId = 1;
  private closed = false;
  private readonly timeBudgetMs: number;

  constructor(private readonly options: FormulaCheckerOptions = {}) {
    this.timeBudgetMs = options.timeBudgetMs ?? FORMULA_TIME_BUDGET_MS;
  }

  /** Starts the thread ahead of the first formula (it loads mathjs, ~1 s). */
  warm(): void {
    if (this.closed) return;
    this.ensureThread();
    this.holdProcess();
  }

  /**
   * Compiles `source` in the thread. With a `channel`, an earlier check of the same channel not
   * yet answered is answered 'superseded' at once (and its work dropped or cut short).
   */
  check(source: string, options: { dim?: number; channel?: string } = {}): Promise<FormulaOutcome> {
    if (this.closed) return Promise.reject(new Error('the formula checker is closed'));
    if (options.channel !== undefined) this.supersede(options.channel);
    if (this.waiting.length >= MAX_WAITING_FORMULAS)
      return Promise.resolve(refusal('formula.busy', { max: MAX_WAITING_FORMULAS }, source));
    return new Promise<FormulaOutcome>((resolve, reject) => {
      this.waiting.push({
        id: this.nextId++,
        source,
        dim: options.dim,
        channel: options.channel,
        settle: resolve,
        fail: reject,
      });
      this.pump();
    });
  }

  close(): void {
    this.closed = true;
    const gone = new Error('the formula checker is closed');
    for (const job of this.waiting.splice(0)) job.fail(gone);
    if (this.running) {
      clearTimeout(this.running.timer);
      this.running.fail(gone);
      this.running = null;
    }
    void this.thread?.terminate();
    this.thread = null;
  }

  private supersede(channel: string): void {
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      if (this.waiting[i].channel !== channel) continue;
      this.waiting[i].settle('superseded');
      this.waiting.splice(i, 1);
    }
    const running = this.running;
    if (running?.channel !== channel) return;
    running.settle('superseded');
    // A quick check is let finish (a new thread costs a second); a long one is cut short.
    if (performance.now() - running.startedAt > SUPERSEDED_KILL_AFTER_MS) this.endRunning();
    else running.settle = () => {};
  }

  /** The thread keeps the process alive while it has work (a CLI waits for its formula). */
  private holdProcess(): void {
    if (this.running || this.waiting.length > 0) this.thread?.ref();
    else this.thread?.unref();
  }

  private ensureThread(): Worker {
    if (this.thread) return this.thread;
    const thread = this.options.threadPath ? new Worker(this.options.threadPath) : sourceThread();
    this.thread = thread;
    this.ready = false;
    const startTimer = setTimeout(() => {
      if (this.thread === thread && !this.ready) this.threadFailed(thread, 'did not start');
    }, THREAD_START_LIMIT_MS);
    startTimer.unref();
    thread.on('message', (raw: unknown) => {
      if (this.thread !== thread) return;
      const parsed = threadMessageSchema.safeParse(raw);
      if (!parsed.success) return this.threadFailed(thread, 'sent a malformed message');
      const m = parsed.data;
      if (m.type === 'ready') {
        clearTimeout(startTimer);
        this.ready = true;
        this.pump();
        return;
      }
      const job = this.running;
      if (!job || job.id !== m.id) return;
      clearTimeout(job.timer);
      this.running = null;
      if (m.type === 'failed') job.fail(new Error(m.message));
      else job.settle(m.result as CompiledFormulaResult);
      this.pump();
    });
    thread.on('error', (e) => this.threadFailed(thread, e.message));
    thread.on('exit', (code) => this.threadFailed(thread, `exited with code ${code}`));
    return thread;
  }

  /** The thread died or misbehaved: fail the formula it had, start afresh for the rest. */
  private threadFailed(thread: Worker, why: string): void {
    if (this.thread !== thread) return;
    this.thread = null;
    void thread.terminate();
    const job = this.running;
    this.running = null;
    if (job) {
      clearTimeout(job.timer);
      job.fail(new Error(`the formula thread ${why}`));
    }
    if (!this.ready) {
      // It never came up: the waiting formulas would only wait for the same failure.
      for (const waiting of this.waiting.splice(0))
        waiting.fail(new Error(`the formula thread ${why}`));
    }
    this.pump();
  }

  /** Over budget or superseded: end the thread (the only way to stop its work) and go on. */
  private endRunning(): void {
    const job = this.running;
    if (!job) return;
    clearTimeout(job.timer);
    this.running = null;
    const thread = this.thread;
    this.thread = null;
    void thread?.terminate();
    this.pump();
  }

  private pump(): void {
    this.holdProcess();
    if (this.closed || this.running || this.waiting.length === 0) return;
    const thread = this.ensureThread();
    this.holdProcess();
    if (!this.ready) return;
    const job = this.waiting.shift()!;
    const timer = setTimeout(() => {
      const running = this.running;
      running?.settle(
        refusal('formula.tooSlow', { seconds: this.timeBudgetMs / 1000 }, job.source),
      );
      this.endRunning();
    }, this.timeBudgetMs);
    this.running = { ...job, startedAt: performance.now(), timer };
    const message: FormulaJob = { id: job.id, source: job.source, dim: job.dim };
    thread.postMessage(message);
  }
}

/** The thread from its TypeScript source (tests and `tsx` runs, where there is no build). */
function sourceThread(): Worker {
  const entry = new URL('./formula-thread.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(bootstrap, { eval: true });
}
