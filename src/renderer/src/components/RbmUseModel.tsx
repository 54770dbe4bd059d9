import { useEffect, useState } from 'react';
import type { RunInfo } from '../../../shared/api';
import { imageGridPng, toImageGrid, valueRange } from '../../../shared/image-grid';
import {
  annealedLogZ,
  gibbsChain,
  loadRbm,
  meanLogLikelihood,
  rbmModelMetaSchema,
  visibleLogOdds,
  type RbmModelMeta,
  type SavedRbm,
} from '../../../shared/rbm-model';
import { createRng } from '../../../shared/rng';
import { useApi } from '../context';
import { downloadFile } from '../download';
import { fmt } from '../format';
import { useI18n } from '../i18n';
import { ImageGrid } from './ImageGrid';
import { NumberInput } from './NumberInput';
import { useExamples, type Examples } from './VaeUseModel';

/**
 * Gibbs sweeps run on the page's thread: 8 chains × 1,000 sweeps of a 784-256 RBM take about half a
 * second here; these bounds keep a click's pause short. AIS yields to the page between blocks.
 */
const MAX_CHAINS = 32;
const MAX_STEPS = 20000;
const MAX_FRAMES = 40;

type Data = { values: Float64Array; cols: number } | null;

interface Loaded {
  meta: RbmModelMeta;
  saved: SavedRbm;
}

/** A data row in the model's units: binarised pixels or standardised values. */
function modelRow(l: Loaded, row: ArrayLike<number>): Float64Array {
  const { meta, saved } = l;
  return Float64Array.from(row, (x, i) =>
    meta.visible === 'gaussian'
      ? (x - saved.centre[i]) / saved.scale[i]
      : +(x > (meta.threshold ?? 0.5)),
  );
}

/**
 * A finished RBM run's saved weights, used in the page: Gibbs chains from noise or from a test
 * example, shown as a strip per chain, and the log-likelihood of the saved test examples by AIS.
 */
export function RbmUseModel({ run, data }: { run: RunInfo; data: Data }) {
  const api = useApi();
  const { t } = useI18n();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    api
      .call('runs.artifacts', { id: run.id, kind: 'model', latestOnly: true })
      .then(([saved]) => {
        if (!current || !saved) return;
        if (!(saved.data instanceof Float32Array))
          throw new Error('the saved model has no weights');
        const meta = rbmModelMetaSchema.parse(saved.meta);
        setLoaded({ meta, saved: loadRbm(meta, saved.data) });
      })
      .catch((e: Error) => current && setError(e.message));
    return () => {
      current = false;
    };
  }, [api, run.id]);

  const examples = useExamples(
    run,
    {
      exampleRows: loaded?.meta.exampleRows,
      image: loaded?.meta.image,
      inputDim: loaded?.meta.nv ?? 0,
    },
    data,
  );
  const found = examples && examples !== 'none' ? examples : null;

  if (error)
    return (
      <section className="card">
        <h2>{t('rbmUse.title')}</h2>
        <p className="error" role="alert">
          {error}
        </p>
      </section>
    );
  if (!loaded) return null;
  return (
    <section className="card" data-testid="rbm-use-model">
      <h2>{t('rbmUse.title')}</h2>
      <p className="muted">{t('rbmUse.help')}</p>
      <div className="two-col">
        {loaded.meta.image && <Gibbs run={run} loaded={loaded} examples={found} />}
        {found && found.rows.length > 0 && <Ais loaded={loaded} examples={found} />}
      </div>
    </section>
  );
}

function Gibbs({
  run,
  loaded,
  examples,
}: {
  run: RunInfo;
  loaded: Loaded;
  examples: Examples | null;
}) {
  const { t } = useI18n();
  const { meta, saved } = loaded;
  const image = meta.image!;
  const nv = meta.nv;
  const [from, setFrom] = useState<'noise' | 'example'>('noise');
  const [example, setExample] = useState(0);
  const [chains, setChains] = useState('8');
  const [steps, setSteps] = useState('1000');
  const [every, setEvery] = useState('100');
  const [seed, setSeed] = useState('0');
  const [strip, setStrip] = useState<ReturnType<typeof toImageGrid> | null>(null);
  const n = Number(chains);
  const k = Number(steps);
  const e = Number(every);
  const s = Number(seed);
  const valid =
    [n, k, e, s].every(Number.isInteger) &&
    n >= 1 &&
    n <= MAX_CHAINS &&
    k >= 1 &&
    k <= MAX_STEPS &&
    e >= 1 &&
    k / e <= MAX_FRAMES &&
    s >= 0;
  const gaussian = meta.visible === 'gaussian';

  const run_ = () => {
    const rng = createRng(s);
    const frames: Float32Array[] = [];
    let count = 0;
    for (let c = 0; c < n; c++) {
      const start =
        from === 'example' && examples
          ? modelRow(loaded, examples.values.subarray(example * nv, (example + 1) * nv))
          : Float64Array.from({ length: nv }, () =>
              gaussian ? rng.normal() : +(rng.uniform() < 0.5),
            );
      const chain = gibbsChain(saved.model, start, { steps: k, every: e, seed: rng.nextSeed() });
      frames.push(chain.frames);
      count = chain.count;
    }
    const pixels = new Float32Array(n * count * nv);
    frames.forEach((f, c) => {
      // Back to data units (Gaussian visibles are standardised).
      for (let i = 0; i < f.length; i++)
        pixels[c * count * nv + i] = f[i] * saved.scale[i % nv] + saved.centre[i % nv];
    });
    const range: [number, number] = gaussian ? valueRange(pixels) : [0, 1];
    setStrip(toImageGrid(pixels, image, { role: 'gibbs', columns: count, range }));
  };

  return (
    <div>
      <h3>{t('rbmUse.gibbs')}</h3>
      <div className="row">
        <label>
          {t('rbmUse.from')}{' '}
          <select
            value={from}
            onChange={(ev) => setFrom(ev.target.value as 'noise' | 'example')}
            data-testid="gibbs-from"
          >
            <option value="noise">{t('rbmUse.fromNoise')}</option>
            {examples && examples.rows.length > 0 && (
              <option value="example">{t('rbmUse.fromExample')}</option>
            )}
          </select>
        </label>
        {from === 'example' && examples && (
          <label>
            {t('rbmUse.pick')}{' '}
            <select
              value={example}
              onChange={(ev) => setExample(Number(ev.target.value))}
              data-testid="gibbs-example"
            >
              {examples.rows.map((r, i) => (
                <option key={r} value={i}>
                  {t('vaeUse.row', { r: r + 1 })}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      <div className="row">
        <NumberInput
          label={t('rbmUse.chains')}
          name="gibbsChains"
          value={chains}
          onChange={setChains}
          min={1}
          max={MAX_CHAINS}
        />
        <NumberInput
          label={t('rbmUse.steps')}
          name="gibbsSteps"
          value={steps}
          onChange={setSteps}
          min={1}
          max={MAX_STEPS}
        />
        <NumberInput
          label={t('rbmUse.every')}
          name="gibbsEvery"
          value={every}
          onChange={setEvery}
          min={1}
        />
        <NumberInput
          label={t('newRun.seed')}
          name="gibbsSeed"
          value={seed}
          onChange={setSeed}
          min={0}
        />
        <button onClick={run_} disabled={!valid} data-testid="gibbs-run">
          {t('rbmUse.run')}
        </button>
      </div>
      {strip && (
        <>
          <p className="muted">{t('rbmUse.strip', { every: e })}</p>
          <ImageGrid meta={strip.meta} data={strip.data} testId="gibbs-strip" />
          <button
            onClick={() =>
              downloadFile(
                `run-${run.id}-gibbs.png`,
                imageGridPng(strip.meta, strip.data),
                'image/png',
              )
            }
          >
            {t('vaeUse.downloadPng')}
          </button>
        </>
      )}
    </div>
  );
}

function Ais({ loaded, examples }: { loaded: Loaded; examples: Examples }) {
  const { t } = useI18n();
  const [runs, setRuns] = useState('20');
  const [temps, setTemps] = useState('1000');
  const [progress, setProgress] = useState<number | null>(null);
  const [result, setResult] = useState<{
    logZ: number;
    std: number;
    ll: number;
    runs: number;
    temps: number;
  } | null>(null);
  const r = Number(runs);
  const k = Number(temps);
  const valid = Number.isInteger(r) && r >= 1 && r <= 1000 && Number.isInteger(k) && k >= 2;
  const { meta, saved } = loaded;
  const estimate = async () => {
    setProgress(0);
    const nv = meta.nv;
    const n = examples.rows.length;
    const x = new Float64Array(n * nv);
    for (let i = 0; i < n; i++)
      x.set(modelRow(loaded, examples.values.subarray(i * nv, (i + 1) * nv)), i * nv);
    const ais = await annealedLogZ(saved.model, {
      runs: r,
      temperatures: k,
      rng: createRng(1),
      baseBias: meta.visible === 'bernoulli' ? visibleLogOdds(x, n, nv) : undefined,
      between: async (fraction) => {
        setProgress(fraction);
        // Let the page paint and respond between blocks of temperatures.
        await new Promise((resolve) => setTimeout(resolve, 0));
      },
    });
    setResult({
      logZ: ais.logZ,
      std: ais.logZStd,
      // In the data's units: standardised Gaussian columns lower the density by Σ log scale.
      ll:
        meanLogLikelihood(saved.model, x, n, ais.logZ) -
        saved.scale.reduce((a, v) => a + Math.log(v), 0),
      runs: r,
      temps: k,
    });
    setProgress(null);
  };
  return (
    <div>
      <h3>{t('rbmUse.ais')}</h3>
      <div className="row">
        <NumberInput
          label={t('param.aisRuns')}
          name="aisRuns"
          value={runs}
          onChange={setRuns}
          min={1}
          max={1000}
        />
        <NumberInput
          label={t('param.aisTemperatures')}
          name="aisTemperatures"
          value={temps}
          onChange={setTemps}
          min={2}
        />
        <button
          onClick={() => void estimate()}
          disabled={!valid || progress !== null}
          data-testid="ais-run"
        >
          {t('rbmUse.aisRun')}
        </button>
      </div>
      {progress !== null && (
        <p className="muted">{t('rbmUse.aisRunning', { pct: Math.round(progress * 100) })}</p>
      )}
      {result && (
        <p data-testid="ais-result">
          {t('rbmUse.aisResult', {
            logZ: fmt(result.logZ),
            std: fmt(result.std, 2),
            runs: result.runs,
            temps: result.temps,
            ll: fmt(result.ll),
          })}
        </p>
      )}
    </div>
  );
}
