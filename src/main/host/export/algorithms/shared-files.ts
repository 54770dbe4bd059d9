/**
 * Files that several algorithms' exports have: the fitted mixture drawn over the data (GMM, its
 * sweep), and the generic files (each gallery's latest picture, a network's weights, one line
 * chart per metric) that every algorithm but the mixtures ends with, and all an algorithm
 * without an exporter gets.
 */
import type { RunInfo } from '../../../../shared/api';
import type { ArtifactKind, Mixture } from '../../../../shared/artifacts';
import type { ImageGridMeta } from '../../../../shared/algorithms/vae';
import {
  hasCurve,
  histogram1dOption,
  metricLineOption,
  metricText,
  mixture2dOption,
} from '../../../../shared/charts';
import { imageGridPng } from '../../../../shared/image-grid';
import type { Store } from '../../store';
import { sanitizeName } from '../bundle';
import type { RunFilesContext } from '../exporter';

/** The mixture chart(s) of a fitted mixture over the run's data: 1-D, or 2-D (the first two columns). */
export function mixtureCharts(
  { bundle, run, t }: RunFilesContext,
  data: { values: Float64Array; cols: number },
  mixture: Mixture,
  base: string,
  title: string | null,
  what = '',
): void {
  if (data.cols === 1) {
    bundle.chart(
      base,
      histogram1dOption({
        title: title ?? t('run.view.hist'),
        values: data.values,
        column: run.columns[0],
        mixture,
        label: t,
      }),
      `${what}histogram of the data with the fitted mixture density and each weighted component`,
    );
    return;
  }
  bundle.chart(
    base,
    mixture2dOption({
      title: title ?? t('run.view.components'),
      values: data.values,
      cols: data.cols,
      columns: run.columns,
      mixture,
      label: t,
      coloring: 'label',
    }),
    `${what}the data coloured by most likely component, with each component's 1σ and 2σ ellipses, means and density contours` +
      (data.cols > 2 ? ` (columns ${run.columns[0]} and ${run.columns[1]})` : ''),
  );
}

/** Of a run's artifacts of one kind, the latest of each role (meta.role) that has data. */
export function latestPerRole(store: Store, run: RunInfo, kind: ArtifactKind) {
  const latest = new Map<string, { step: number; meta: unknown; data: ArrayBufferView }>();
  for (const a of store.listArtifacts(run.id, kind)) {
    const role = (a.meta as { role?: unknown } | null)?.role;
    if (!a.data || typeof role !== 'string') continue;
    const seen = latest.get(role);
    if (!seen || a.step >= seen.step)
      latest.set(role, { step: a.step, meta: a.meta, data: a.data });
  }
  return latest;
}

/** Each gallery's latest picture (VAE, GAN, RBM), pixel for pixel as the run page draws it. */
function galleryFiles({ store, run, bundle }: RunFilesContext): void {
  for (const [role, g] of latestPerRole(store, run, 'image-grid')) {
    const meta = g.meta as ImageGridMeta;
    if (!(g.data instanceof Uint8Array)) continue;
    bundle.add(
      `gallery-${sanitizeName(role)}.png`,
      imageGridPng(meta, g.data),
      `the ${role} gallery at step ${g.step}: ${meta.count} images of ${meta.width} × ${meta.height}, ${meta.columns} to a row`,
    );
  }
}

/** A trained network's weights (VAE, GAN, RBM): float32 values and the table that names them. */
function weightFiles({ store, run, bundle }: RunFilesContext): void {
  const model = store.listArtifacts(run.id, 'model', true)[0];
  if (!model || !(model.data instanceof Float32Array)) return;
  bundle.add(
    'weights.bin',
    new Uint8Array(model.data.buffer, model.data.byteOffset, model.data.byteLength),
    `every weight of the trained model, ${model.data.length} float32 values, little-endian, back to back in the order weights.json lists them`,
  );
  bundle.json(
    'weights.json',
    model.meta,
    'the model’s layout: each tensor’s name, shape and offset into weights.bin, and what the app needs to rebuild it (layer sizes, activations, scaling)',
  );
}

/** One line chart per metric that has a curve (the rest are numbers in metrics.csv). */
function metricCharts({ bundle, series, t }: RunFilesContext): void {
  for (const s of series) {
    if (!hasCurve([s])) continue;
    const text = metricText(t, s.key);
    bundle.chart(
      bundle.freeBase(s.key),
      metricLineOption({ ...text, series: [{ name: s.key, steps: s.steps, values: s.values }] }),
      `metric "${s.key}" against step`,
    );
  }
}

/**
 * The files any run may have, whatever its algorithm: each gallery's latest picture, a model's
 * weights, and one line chart per metric that has a curve. What every export ends with after
 * the algorithm's own files, and all an algorithm without an exporter gets.
 */
export function genericFiles(ctx: RunFilesContext): void {
  galleryFiles(ctx);
  weightFiles(ctx);
  metricCharts(ctx);
}
