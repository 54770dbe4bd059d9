/**
 * MCMC draws as they travel and are kept: chunks of iterations for every chain ('draws'
 * artifacts), each row Stan-style — the sampler's statistics, then the parameters. The renderer,
 * the exporter and the CLI all assemble chunks with `assembleDraws`.
 */

/** Per-draw sampler statistics, in front of the parameters (Stan's names). */
export const samplerStats = [
  'lp__',
  'accept_stat__',
  'stepsize__',
  'treedepth__',
  'n_leapfrog__',
  'divergent__',
  'energy__',
] as const;

/** Meta of a 'draws' artifact; its data is chains × count × names.length, row-major. */
export interface DrawsChunkMeta {
  role: 'chunk';
  /** Index of the chunk's first iteration (warm-up included). */
  from: number;
  count: number;
  chains: number;
  /** samplerStats then the parameter names. */
  names: string[];
  /** The first `warmup` iterations are warm-up (adaptation), kept apart from the sample. */
  warmup: number;
  /** Iterations the run will make in all. */
  total: number;
}

/** Meta of the 'field2d' artifact of a 2-D target: its data is log p on size × size points. */
export interface TargetFieldMeta {
  role: 'target';
  names: string[];
  size: number;
  /** [[x low, x high], [y low, y high]]; row j of the data is y, column i is x. */
  bounds: [number, number][];
  truth: { mean: number[]; variance: number[] } | null;
  /** Each chain's starting point. */
  starts: number[][];
}

/** Meta of a 'trajectory' artifact: one recorded transition of chain 0 (2-D targets). */
export interface TransitionMeta {
  chain: number;
  iteration: number;
  warmup: boolean;
  sampler: string;
  from: number[];
  to: number[];
  accepted: boolean;
  acceptStat: number;
  stepSize: number;
  treeDepth: number | null;
  leapfrogSteps: number | null;
  divergent: boolean;
  /** Metropolis: the proposed point; Gibbs: the points after each coordinate update. */
  proposal: number[] | null;
  /** HMC / NUTS: the momentum drawn at the start (its data is the leapfrog path, n × 2). */
  momentum: number[] | null;
  /** NUTS: the tree depth at which each path point was added. */
  depthOf: number[] | null;
}

export interface AssembledDraws {
  names: string[];
  chains: number;
  warmup: number;
  /** Iterations received so far (contiguous from 0). */
  iterations: number;
  /** Per chain, iterations × names.length, row-major. */
  values: Float64Array[];
}

export function isDrawsChunk(meta: unknown): meta is DrawsChunkMeta {
  const m = meta as DrawsChunkMeta | null;
  return !!m && m.role === 'chunk' && Array.isArray(m.names) && Number.isInteger(m.from);
}

/**
 * Collects chunks (any order, repeats allowed) into per-chain buffers allocated once, so a live
 * view adds each chunk without copying what it already has.
 */
export class DrawsAccumulator {
  private values: Float64Array[] = [];
  private filled = new Uint8Array(0);
  private contiguous = 0;
  private shape: { names: string[]; chains: number; warmup: number; total: number } | null = null;

  /** Adds a chunk; false (and nothing changed) if it does not fit the chunks seen before. */
  add(meta: unknown, data: ArrayLike<number> | undefined): boolean {
    if (!isDrawsChunk(meta) || !data) return false;
    if (!this.shape) {
      const { names, chains, warmup, total } = meta;
      this.shape = { names, chains, warmup, total };
      this.values = Array.from({ length: chains }, () => new Float64Array(total * names.length));
      this.filled = new Uint8Array(total);
    }
    const { chains, names, total } = this.shape;
    const stride = names.length;
    if (meta.chains !== chains || meta.names.length !== stride) return false;
    if (meta.from < 0 || meta.from + meta.count > total) return false;
    if (data.length !== chains * meta.count * stride) return false;
    const src = data instanceof Float64Array ? data : Float64Array.from(data);
    for (let c = 0; c < chains; c++)
      this.values[c].set(
        src.subarray(c * meta.count * stride, (c + 1) * meta.count * stride),
        meta.from * stride,
      );
    this.filled.fill(1, meta.from, meta.from + meta.count);
    while (this.contiguous < total && this.filled[this.contiguous]) this.contiguous++;
    return true;
  }

  /** Iterations held contiguously from 0. */
  get iterations(): number {
    return this.contiguous;
  }

  /** Views of what is held (no copy), or null before the first chunk. */
  snapshot(): AssembledDraws | null {
    if (!this.shape) return null;
    const stride = this.shape.names.length;
    return {
      names: this.shape.names,
      chains: this.shape.chains,
      warmup: this.shape.warmup,
      iterations: this.contiguous,
      values: this.values.map((v) => v.subarray(0, this.contiguous * stride)),
    };
  }
}

/** Chunks into per-chain arrays, as far as they are contiguous from iteration 0 (null if none). */
export function assembleDraws(
  chunks: readonly { meta: unknown; data?: ArrayLike<number> }[],
): AssembledDraws | null {
  const acc = new DrawsAccumulator();
  for (const c of chunks) acc.add(c.meta, c.data);
  return acc.snapshot();
}

/** One column's draws per chain, iterations [from, to). */
export function drawsColumn(
  a: AssembledDraws,
  name: string,
  from = a.warmup,
  to = a.iterations,
): Float64Array[] {
  const j = a.names.indexOf(name);
  const stride = a.names.length;
  return a.values.map((v) => {
    const out = new Float64Array(Math.max(0, to - from));
    for (let t = from; t < to; t++) out[t - from] = v[t * stride + j];
    return out;
  });
}

/** The parameter names (without the sampler statistics). */
export function parameterNames(a: AssembledDraws): string[] {
  return a.names.slice(samplerStats.length);
}

/** Draws as CSV: chain, draw (1-based within the chain), warmup (0/1), then every column. */
export function drawsCsv(a: AssembledDraws): string {
  return [...drawsCsvLines(a)].join('');
}

/** drawsCsv a line at a time (each with its line break): an export writes it as it goes. */
export function* drawsCsvLines(a: AssembledDraws): Generator<string> {
  const stride = a.names.length;
  yield ['chain', 'draw', 'warmup', ...a.names].join(',') + '\n';
  for (let c = 0; c < a.chains; c++)
    for (let t = 0; t < a.iterations; t++) {
      const row = Array.from(a.values[c].subarray(t * stride, (t + 1) * stride), String);
      yield [c + 1, t + 1, t < a.warmup ? 1 : 0, ...row].join(',') + '\n';
    }
}

/**
 * draws.csv back into one chunk (the inverse of `drawsCsv`): chains in order, each with the same
 * draws 1…n, warm-up rows first. Throws an Error naming the line on anything else.
 */
export function parseDrawsCsv(text: string): { meta: DrawsChunkMeta; data: Float64Array } {
  const lines = text.split(/\r?\n/).filter((l) => l !== '');
  const header = lines[0]?.split(',') ?? [];
  if (header[0] !== 'chain' || header[1] !== 'draw' || header[2] !== 'warmup' || header.length < 4)
    throw new Error('line 1: expected the header chain,draw,warmup,…');
  const names = header.slice(3);
  const stride = names.length;
  const rows = lines.slice(1).map((line, i) => {
    const cells = line.split(',');
    if (cells.length !== header.length)
      throw new Error(`line ${i + 2}: ${cells.length} values, the header has ${header.length}`);
    const values = cells.map(Number);
    if (values.slice(0, 3).some((v) => !Number.isInteger(v)) || cells.some((c) => c.trim() === ''))
      throw new Error(`line ${i + 2}: not a row of numbers`);
    return values;
  });
  const chains = rows.reduce((m, r) => Math.max(m, r[0]), 0);
  const count = rows.length / Math.max(1, chains);
  if (chains < 1 || !Number.isInteger(count) || count < 1)
    throw new Error('the rows are not the same number of draws for every chain');
  let warmup = 0;
  const data = new Float64Array(rows.length * stride);
  rows.forEach((r, i) => {
    const c = Math.floor(i / count);
    const t = i % count;
    if (r[0] !== c + 1 || r[1] !== t + 1)
      throw new Error(`line ${i + 2}: expected chain ${c + 1}, draw ${t + 1}`);
    if (c === 0 && r[2] === 1) warmup = t + 1;
    if ((r[2] === 1) !== t < warmup || (r[2] !== 0 && r[2] !== 1))
      throw new Error(`line ${i + 2}: warm-up draws must come first, the same in every chain`);
    data.set(r.slice(3), i * stride);
  });
  return {
    meta: { role: 'chunk', from: 0, count, chains, names, warmup, total: count },
    data,
  };
}
