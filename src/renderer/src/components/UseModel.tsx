import { useMemo, useState } from 'react';
import type { RunInfo, SampleResult, ScoreResult } from '../../../shared/api';
import { mixtureSchema } from '../../../shared/artifacts';
import { formatValue, mixture2dOption } from '../../../shared/charts';
import { useApi } from '../context';
import { downloadCsv } from '../download';
import { useI18n } from '../i18n';
import { sendFile } from '../send-file';
import { EChart } from './EChart';
import { NumberInput } from './NumberInput';

function scoreTable(r: ScoreResult): { header: string[]; rows: (string | number)[][] } {
  const header = [
    ...r.columns,
    'log_likelihood',
    ...Array.from({ length: r.k }, (_, c) => `responsibility_${c + 1}`),
    'component',
  ];
  const d = r.columns.length;
  const rows = Array.from({ length: r.rows }, (_, i) => [
    ...Array.from(r.values.subarray(i * d, (i + 1) * d)),
    r.logLikelihood[i],
    ...Array.from(r.responsibilities.subarray(i * r.k, (i + 1) * r.k)),
    r.labels[i] + 1,
  ]);
  return { header, rows };
}

/** A preview cell: responsibilities all at three decimals ("1.000" beside "0.250"). */
function scoreCell(r: ScoreResult, column: number, v: number): string {
  const d = r.columns.length;
  if (column > d && column <= d + r.k) return formatValue(v, { span: 1, fixed: true });
  return formatValue(v, { integer: column === d + r.k + 1 });
}

/** Score a new CSV with the fitted mixture, and draw samples from it. */
export function UseModel({
  run,
  data,
}: {
  run: RunInfo;
  data: { values: Float64Array; cols: number } | null;
}) {
  const api = useApi();
  const { t } = useI18n();
  const [score, setScore] = useState<{ file: string; result: ScoreResult } | null>(null);
  const [samples, setSamples] = useState<SampleResult | null>(null);
  const [n, setN] = useState('500');
  const [seed, setSeed] = useState('1');
  const [error, setError] = useState<string | null>(null);
  const mixture = mixtureSchema.safeParse(run.summary);

  async function scoreFile(f: File) {
    setError(null);
    try {
      const result = await api.call('models.score', {
        id: run.id,
        // Read by the host (its encoding detected there), sent in chunks in the web shell.
        source: await sendFile(api, f),
      });
      setScore({ file: f.name, result });
    } catch (e) {
      setError((e as Error).message);
    }
  }

  async function sample() {
    setError(null);
    try {
      setSamples(await api.call('models.sample', { id: run.id, n: Number(n), seed: Number(seed) }));
    } catch (e) {
      setError((e as Error).message);
    }
  }

  const sampleOption = useMemo(() => {
    if (!samples || !data || data.cols < 2 || !mixture.success) return null;
    return mixture2dOption({
      title: t('model.samplesTitle', { n: samples.labels.length }),
      values: data.values,
      cols: data.cols,
      columns: run.columns,
      mixture: mixture.data,
      label: t,
      coloring: 'none',
      contours: false,
      samples: { values: samples.values, cols: samples.columns.length, labels: samples.labels },
    });
  }, [samples, data, mixture.success, mixture.data, run.columns, t]);

  if (!mixture.success) return null;
  return (
    <section className="card" data-testid="use-model">
      <h2>{t('model.title')}</h2>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="two-col">
        <div>
          <h3>{t('model.score')}</h3>
          <p className="muted">{t('model.scoreHelp', { columns: run.columns.join(', ') })}</p>
          <label className="file-button">
            {t('data.chooseFile')}
            <input
              type="file"
              accept=".csv,.tsv,.txt,text/csv"
              data-testid="score-input"
              onChange={(e) => e.target.files?.[0] && void scoreFile(e.target.files[0])}
            />
          </label>
          {score && (
            <div data-testid="score-result">
              <p>
                {t('model.scored', {
                  file: score.file,
                  rows: score.result.rows,
                  ll: score.result.meanLogLikelihood.toFixed(4),
                })}
              </p>
              <div className="table-scroll">
                <table className="data-table">
                  <thead>
                    <tr>
                      {scoreTable(score.result).header.map((h) => (
                        <th key={h}>{h}</th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {scoreTable(score.result)
                      .rows.slice(0, 8)
                      .map((r, i) => (
                        <tr key={i}>
                          {r.map((v, j) => (
                            <td key={j}>
                              {typeof v === 'number' ? scoreCell(score.result, j, v) : v}
                            </td>
                          ))}
                        </tr>
                      ))}
                  </tbody>
                </table>
              </div>
              <button
                onClick={() => {
                  const { header, rows } = scoreTable(score.result);
                  downloadCsv(`${score.file.replace(/\.[^.]+$/, '')}-scored.csv`, header, rows);
                }}
              >
                {t('model.downloadCsv')}
              </button>
            </div>
          )}
        </div>
        <div>
          <h3>{t('model.sample')}</h3>
          <div className="row">
            <NumberInput
              label={t('model.n')}
              name="sampleN"
              value={n}
              onChange={setN}
              min={1}
              max={1000000}
            />
            <NumberInput
              label={t('newRun.seed')}
              name="sampleSeed"
              value={seed}
              onChange={setSeed}
              min={0}
            />
            <button className="primary" onClick={() => void sample()} data-testid="sample-button">
              {t('model.draw')}
            </button>
            {samples && (
              <button
                onClick={() => {
                  const d = samples.columns.length;
                  downloadCsv(
                    `run-${run.id}-samples.csv`,
                    [...samples.columns, 'component'],
                    Array.from(samples.labels, (c, i) => [
                      ...Array.from(samples.values.subarray(i * d, (i + 1) * d)),
                      c + 1,
                    ]),
                  );
                }}
              >
                {t('model.downloadCsv')}
              </button>
            )}
          </div>
          {samples && (
            <p className="muted" data-testid="sample-count">
              {t('model.drawn', { n: samples.labels.length })}
            </p>
          )}
          {sampleOption && <EChart option={sampleOption} testId="samples-view" />}
        </div>
      </div>
    </section>
  );
}
