/**
 * A typed formula's work is bounded and kept off the host's main thread: the nested-sin formula
 * of issue 19 (72 s, 49 MB and 3.3 GB on the main thread before) is refused within the budget
 * while other requests are answered; a formula over the time budget is refused and the next one
 * gets a fresh thread; a check replaced by a newer one of the same form is cancelled; a run's
 * formula is compiled once and handed to the engine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, type FormulaCheck } from '../../src/shared/api';
import type { HostToWorker, WorkerHandle } from '../../src/main/engine/protocol';
import {
  MAX_FORMULA_NODES,
  MAX_GRADIENT_NODES,
  compileFormula,
} from '../../src/main/engine/sampling/formula';
import { FormulaChecker } from '../../src/main/host/formula-checker';
import { createHost, type Host } from '../../src/main/host/host';
import { translate } from '../../src/shared/i18n';

/** sin( ×90 around x1*x2*…*x270: 1,691 characters. */
const product = Array.from({ length: 270 }, (_, i) => `x${i + 1}`).join('*');
const nestedSin = 'sin('.repeat(90) + product + ')'.repeat(90);

describe('the formula compiler bounds its work', () => {
  it('refuses the nested sin by the size of its derivatives, naming the limit', () => {
    expect(nestedSin).toHaveLength(1691);
    const result = compileFormula(nestedSin);
    expect('error' in result && result.error.text.key).toBe('formula.gradientTooBig');
    if (!('error' in result)) return;
    expect(result.error.message).toContain(String(MAX_GRADIENT_NODES));
    expect(translate('zh', result.error.text.key, result.error.text.vars)).toContain(
      String(MAX_GRADIENT_NODES),
    );
  });

  it('refuses a formula of too many parts before differentiating it', () => {
    const long = Array.from({ length: MAX_FORMULA_NODES }, () => 'x').join('+') + '+y';
    const result = compileFormula(long);
    expect('error' in result && result.error.text.key).toBe('formula.tooManyNodes');
  });

  it('still accepts a long sum of squares (each partial only differentiates its term)', () => {
    const wide = Array.from({ length: 200 }, (_, i) => `x${i + 1}^2`).join(' + ');
    const result = compileFormula(`-(${wide})/2`);
    expect('compiled' in result && result.compiled.names).toHaveLength(200);
  });
});

describe('the formula thread', () => {
  it('refuses a formula over its time budget, and the next formula gets a fresh thread', async () => {
    const checker = new FormulaChecker({ timeBudgetMs: 400 });
    try {
      // Warm: the budget times a formula's own work, not the thread's start (loading mathjs).
      expect(await checker.check('-x^2 - y^2')).toMatchObject({ compiled: { names: ['x', 'y'] } });
      // ~1.5 s on an idle machine here: 330 partials, each simplified by mathjs.
      const wide = Array.from({ length: 330 }, (_, i) => `x${i + 1}^2`).join(' + ');
      const slow = await checker.check(`-(${wide})/2`);
      expect(slow !== 'superseded' && 'error' in slow && slow.error.text.key).toBe(
        'formula.tooSlow',
      );
      expect(await checker.check('-x^2 - y^2')).toMatchObject({ compiled: { names: ['x', 'y'] } });
    } finally {
      checker.close();
    }
  });

  it('answers a check replaced by a newer one of the same channel as superseded', async () => {
    const checker = new FormulaChecker();
    try {
      const first = checker.check('-x^2 - y^2', { channel: 'form-1' });
      const other = checker.check('-x^2 - y^4', { channel: 'form-2' });
      const second = checker.check('-x^2 - 2*y^2', { channel: 'form-1' });
      expect(await first).toBe('superseded');
      expect(await other).toMatchObject({ compiled: { names: ['x', 'y'] } });
      expect(await second).toMatchObject({ compiled: { names: ['x', 'y'] } });
    } finally {
      checker.close();
    }
  });
});

describe('formulas through the host', () => {
  const resourcesDir = resolve(__dirname, '../../resources');
  let dir: string;
  let host: Host;
  const started: HostToWorker[] = [];

  /** An engine that records what it was handed and never answers. */
  function recordingWorker(): WorkerHandle {
    return {
      send: (m) => void started.push(m),
      onMessage: () => {},
      onExit: () => {},
      kill: () => {},
    };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'latent-lab-formula-'));
    host = await createHost({
      dataDir: dir,
      resourcesDir,
      maxWorkers: 1,
      launchWorker: recordingWorker,
    });
  });
  afterAll(() => {
    host.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the nested sin in under 2 s while other requests keep being answered', async () => {
    // The thread's start (loading mathjs) is not the formula's cost: start it first.
    await host.call('formulas.check', { source: '-x^2' });
    const order: string[] = [];
    const t0 = performance.now();
    const check = host.call('formulas.check', { source: nestedSin }).then((r) => {
      order.push('formula');
      return r;
    });
    const list = host.call('datasets.list', {}).then(() => order.push('datasets.list'));
    const [answer] = await Promise.all([check, list]);
    const seconds = (performance.now() - t0) / 1000;
    expect(seconds).toBeLessThan(2);
    expect(answer.ok).toBe(false);
    expect((answer as Extract<FormulaCheck, { ok: false }>).text.key).toBe(
      'formula.gradientTooBig',
    );
    // Asked after the formula, answered before it: the main thread was free meanwhile.
    expect(order).toEqual(['datasets.list', 'formula']);
  });

  it('refuses a check replaced by a newer one of the same form with "cancelled"', async () => {
    const first = host.call('formulas.check', { source: '-x^2 - y^2', channel: 'f' });
    const second = host.call('formulas.check', { source: '-x^2 - y^4', channel: 'f' });
    const e = await first.then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).code).toBe('cancelled');
    expect((await second).ok).toBe(true);
  });

  it('refuses the nested sin as a run, storing nothing', async () => {
    const before = host.store.listRuns().length;
    const e = await host
      .call('runs.start', {
        algorithm: 'hmc',
        datasetId: null,
        columns: [],
        params: { target: 'formula', formula: nestedSin },
        seed: 1,
      })
      .then(
        () => null,
        (err: unknown) => err,
      );
    expect((e as ApiError).text?.key).toBe('formula.gradientTooBig');
    expect(host.store.listRuns()).toHaveLength(before);
  });

  it('hands the engine the compiled formula, so it is not parsed again there', async () => {
    await host.call('runs.start', {
      algorithm: 'mcmc',
      datasetId: null,
      columns: [],
      params: { target: 'formula', formula: '-(x^2)/2 - (y - x^2)^2' },
      seed: 1,
    });
    await expect.poll(() => started.length).toBeGreaterThan(0);
    const start = started.find((m) => m.type === 'start');
    expect(start?.type === 'start' && start.data.formula?.names).toEqual(['x', 'y']);
    expect(start?.type === 'start' && start.data.formula?.gradSource).toMatch(/g\[1\] =/);
  });
});
