/**
 * The files of an export while it is built: safe names and paths, the `Bundle` that collects
 * the files (path relative to the folder, content, one line saying what it is) and the README
 * that lists them.
 *
 * Safety: every name that comes from the user (run names, metric keys) is reduced to letters,
 * digits, `.`, `_` and `-` and never starts with a dot, and every file's resolved path is checked
 * to be inside the chosen folder (see write.ts for symbolic links).
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { EChartsOption } from 'echarts';
import { ApiError, type RunInfo } from '../../../shared/api';
import { localText } from '../../../shared/i18n';
import { chartSize, pngScale, renderSvg, svgToPngAsync, type ChartSize } from '../chart-render';

// ---------------------------------------------------------------- names and paths

/**
 * A user-given name as one safe path segment: letters (any script), digits, `.`, `_`, `-`;
 * everything else becomes `-`; no leading dots or dashes (so never `.` or `..`), at most `max`
 * characters. May be empty: callers always add a fixed prefix or a fallback.
 */
export function sanitizeName(name: string, max = 60): string {
  return name
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._-]+/gu, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, max)
    .replace(/[.-]+$/, '');
}

/** The folder of one run inside a comparison export. */
export function runFolderName(run: Pick<RunInfo, 'id' | 'name'>): string {
  const name = sanitizeName(run.name);
  return name ? `run-${run.id}-${name}` : `run-${run.id}`;
}

/** Whether `target` (absolute) is `root` itself or inside it. */
export function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (rel.split(sep)[0] !== '..' && !isAbsolute(rel));
}

/** The absolute path of a file of the folder, refused if it would leave the folder. */
export function pathInside(root: string, rel: string): string {
  const target = resolve(root, ...rel.split('/'));
  if (!isInside(root, target) || target === root)
    throw ApiError.of('internal', localText('export.outsideFolder', { file: rel, path: root }));
  return target;
}

// ---------------------------------------------------------------- the files of an export

/** A file too long to hold whole (metrics.csv, draws.csv): made a chunk at a time as it is written. */
export interface StreamedContent {
  chunks(): Iterable<string | Uint8Array>;
}

export interface Entry {
  /** Relative to the export folder, `/`-separated. */
  path: string;
  data: string | Uint8Array | StreamedContent;
  about: string;
}

/** While an export is built, a PNG may still be rasterising (off the main thread). */
export type PendingEntry = Omit<Entry, 'data'> & { data: Entry['data'] | Promise<Uint8Array> };

/** Pictures of a plane (pairs, a 2-D target or GAN) are drawn square, so circles stay round. */
export const squareChart: ChartSize = { width: 800, height: 800 };

/** The files of one export (or of one run's folder in it, under `prefix`), as they are made. */
export class Bundle {
  readonly entries: PendingEntry[] = [];
  private readonly used = new Set<string>();

  constructor(private readonly prefix = '') {}

  add(path: string, data: PendingEntry['data'], about: string): void {
    const full = this.prefix + path;
    // A bug of the exporter, not a refusal: English only.
    if (this.used.has(full)) throw new ApiError('internal', `export wrote "${full}" twice`);
    this.used.add(full);
    this.entries.push({ path: full, data, about });
  }

  json(path: string, value: unknown, about: string): void {
    this.add(path, JSON.stringify(value, null, 2) + '\n', about);
  }

  /** A chart as `<base>.svg` and `<base>.png`. */
  chart(base: string, option: EChartsOption, about: string, size: ChartSize = chartSize): void {
    const svg = renderSvg(option, size);
    const png = svgToPngAsync(svg);
    png.catch(() => {}); // awaited with the others in buildExport
    this.add(`${base}.svg`, svg, `${about} (SVG, ${size.width}×${size.height})`);
    this.add(
      `${base}.png`,
      png,
      `${about} (PNG, ${size.width * pngScale}×${size.height * pngScale} px)`,
    );
  }

  /** A base name for a chart file that no other chart of this bundle uses yet. */
  freeBase(wanted: string): string {
    const base = sanitizeName(wanted) || 'metric';
    for (let i = 1; ; i++) {
      const candidate = i === 1 ? base : `${base}-${i}`;
      if (!this.used.has(`${this.prefix}${candidate}.svg`)) return candidate;
    }
  }
}

/** A README: a title, facts, every file (its own line included) with what it is, and notes. */
export function readme(
  title: string,
  facts: string[],
  entries: PendingEntry[],
  notes: string[],
  from = '',
): string {
  const lines = [`# ${title}`, '', ...facts.map((f) => `- ${f}`), '', '## Files', ''];
  const listed = [
    ...entries.map((e) => ({ path: e.path.slice(from.length), about: e.about })),
    { path: 'README.md', about: 'this file' },
  ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const e of listed) lines.push(`- \`${e.path}\`: ${e.about}`);
  if (notes.length) lines.push('', '## Notes', '', ...notes.map((n) => `- ${n}`));
  return lines.join('\n') + '\n';
}
