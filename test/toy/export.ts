/** The toy's exporter: the walk's path as a CSV, beside the files every run's export has. */
import { runExporters } from '../../src/main/host/export/registry';
import { TOY } from './spec';

export function registerToyExporter(): void {
  runExporters[TOY] = {
    files({ store, run, bundle, notes }) {
      const last = store.listArtifacts(run.id, 'points2d', true)[0];
      if (!last?.data) {
        notes.push('No walk.csv: the run recorded no path.');
        return;
      }
      const xy = last.data as Float32Array;
      const lines = ['step,position'];
      for (let i = 0; i < xy.length; i += 2) lines.push(`${xy[i]},${xy[i + 1]}`);
      bundle.add('walk.csv', lines.join('\n') + '\n', 'the walk: its position after each step');
    },
  };
}
