/**
 * The reference implementation's figure for a benchmark. With BENCH_REFERENCE=1 its script
 * (../shared/reference/scripts/, PyTorch or scikit-learn) is run right before ours, in the same
 * process tree on the same machine, so the ratio compares like with like; otherwise — or when the
 * script cannot run (the Python package missing) — perf.json's figure from another machine is
 * used, and marked so.
 *
 *   BENCH_REFERENCE=1 npm run bench -- gmm vae
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const referenceDir = path.resolve(here, '../../shared/reference');

export interface ReferenceFigure {
  /** Seconds per unit of work (per epoch, per iteration, per 1,000 steps); null when unknown. */
  seconds: number | null;
  source: 'measured in this run' | 'perf.json (another machine)' | 'none';
  /** Why the script was not used, when BENCH_REFERENCE=1 asked for it. */
  error?: string;
  /** The script's own JSON line (or perf.json's section), for its quality figures. */
  detail: Record<string, unknown>;
}

/** perf.json's section for a benchmark ({} when the file or section is missing). */
export function perfSection(section: string): Record<string, unknown> {
  try {
    const perf = JSON.parse(readFileSync(path.join(referenceDir, 'perf.json'), 'utf8')) as Record<
      string,
      Record<string, unknown>
    >;
    return perf[section] ?? {};
  } catch {
    return {};
  }
}

export function referenceFigure(options: {
  /** perf.json's section and the key of its seconds figure. */
  section: string;
  perfKey: string;
  /** The script in ../shared/reference/scripts and its arguments. */
  script: string;
  args: string[];
  /** The seconds figure from the script's JSON line. */
  pick: (out: Record<string, unknown>) => number | null;
}): ReferenceFigure {
  const fromPerf = (error?: string): ReferenceFigure => {
    const detail = perfSection(options.section);
    const seconds = typeof detail[options.perfKey] === 'number' ? detail[options.perfKey] : null;
    return {
      seconds: seconds as number | null,
      source: seconds === null ? 'none' : 'perf.json (another machine)',
      ...(error ? { error } : {}),
      detail,
    };
  };
  if (process.env.BENCH_REFERENCE !== '1') return fromPerf();
  try {
    // Debian's Python (another python3 may come first on PATH); OpenBLAS on one thread, as the
    // scripts were measured (on 2 cores torch's OpenMP and OpenBLAS pools fight otherwise).
    const out = execFileSync(
      '/usr/bin/python3',
      [path.join(referenceDir, 'scripts', options.script), ...options.args],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, OPENBLAS_NUM_THREADS: '1' },
        maxBuffer: 64 << 20,
      },
    );
    const detail = JSON.parse(out.trim().split('\n').at(-1) ?? '') as Record<string, unknown>;
    const seconds = options.pick(detail);
    if (seconds === null || !Number.isFinite(seconds))
      return fromPerf(`${options.script} printed no seconds figure`);
    return { seconds, source: 'measured in this run', detail };
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    const reason = (err.stderr?.trim().split('\n').at(-1) ?? err.message).slice(0, 300);
    return fromPerf(`${options.script} could not run: ${reason}`);
  }
}

/** The fields every benchmark prints about its reference. */
export function referenceFields(ref: ReferenceFigure, ours: number) {
  return {
    reference_seconds: ref.seconds,
    reference_source: ref.source,
    ...(ref.error ? { reference_error: ref.error } : {}),
    ratio_to_reference: ref.seconds ? ours / ref.seconds : null,
  };
}
