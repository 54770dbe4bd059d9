/**
 * The formula thread's entry (node:worker_threads): parses, checks, differentiates and compiles
 * the formulas the host sends, one at a time, so a formula that takes long never holds up the
 * host's main thread. `FormulaChecker` starts it, times each formula and ends it when one takes
 * too long. mathjs is loaded here, never on the main thread.
 */
import { parentPort } from 'node:worker_threads';
import { compileFormula } from '../engine/sampling/formula';
import { formulaJobSchema, type FormulaThreadMessage } from './formula-checker';

const port = parentPort;
if (!port) throw new Error('formula-thread.ts runs as a worker thread');

port.on('message', (message: unknown) => {
  const job = formulaJobSchema.safeParse(message);
  if (!job.success) return;
  const { id, source, dim } = job.data;
  let reply: FormulaThreadMessage;
  try {
    reply = { type: 'result', id, result: compileFormula(source, dim) };
  } catch (e) {
    reply = { type: 'failed', id, message: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply);
});
// Warmed before it says it is ready: the first formula's budget is not spent compiling mathjs's
// parser and rules.
compileFormula('-(x^2)/2 - log1p((y - sin(x))^2)');
port.postMessage({ type: 'ready' } satisfies FormulaThreadMessage);
