/**
 * A GAN: for 2-D data its last view as the run page draws it (the discriminator's heat map, the
 * real sample, the generated one) and the generated points as CSV; then, as every network, its
 * galleries, weights and a line chart per metric.
 */
import Papa from 'papaparse';
import type { GanFieldMeta, GanPointsMeta } from '../../../../shared/algorithms/gan';
import { ganViewOption } from '../../../../shared/gan-charts';
import { squareChart } from '../bundle';
import type { RunExporter, RunFilesContext } from '../exporter';
import { latestPerRole, genericFiles } from './shared-files';

function ganViewFiles({ store, run, bundle, t }: RunFilesContext): void {
  const points = latestPerRole(store, run, 'points2d');
  const generated = points.get('generated');
  const real = points.get('real');
  const field = latestPerRole(store, run, 'field2d').get('discriminator');
  if (!generated && !field) return;
  const meta = (generated?.meta ?? real?.meta) as GanPointsMeta | undefined;
  const axisNames = meta?.axisNames ?? ['x', 'y'];
  const step = generated?.step ?? field!.step;
  const values = (v: ArrayBufferView | undefined) => v as Float32Array | undefined;
  bundle.chart(
    'gan-view',
    ganViewOption({
      title: `${t('gan.view.title')} (${t('gan.view.step')} ${step})`,
      axisNames,
      field: field ? { meta: field.meta as GanFieldMeta, values: values(field.data)! } : null,
      real: values(real?.data) ?? null,
      generated: values(generated?.data) ?? null,
      arrows: false,
      names: {
        field: t('gan.view.field'),
        real: t('gan.view.real'),
        generated: t('gan.view.generated'),
        arrows: t('gan.view.arrows'),
      },
    }),
    `the last view, at step ${step}: the discriminator’s output over the plane (purple: judged fake, green: judged real), the real sample (grey) and the generated one`,
    squareChart,
  );
  if (!generated) return;
  const g = values(generated.data)!;
  const stride = (generated.meta as GanPointsMeta).stride;
  const rows = Array.from({ length: Math.floor(g.length / stride) }, (_, i) => [
    g[i * stride],
    g[i * stride + 1],
  ]);
  bundle.add(
    'generated.csv',
    Papa.unparse({ fields: axisNames, data: rows }, { newline: '\n' }) + '\n',
    `the ${rows.length} points the generator made from its fixed noise at step ${step} (${axisNames.join(', ')})`,
  );
}

export const ganExporter: RunExporter = {
  files(ctx) {
    ganViewFiles(ctx);
    genericFiles(ctx);
  },
};
