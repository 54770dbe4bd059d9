/**
 * "Export as code" for a GMM run: a runnable scikit-learn script that fits GaussianMixture to the
 * same rows (`data.csv`, beside it) from the same starting mixture — the kept restart's, as
 * weights_init / means_init / precisions_init — with the same covariance type, tolerance, iteration
 * cap and reg_covar, and prints its mean log-likelihood beside the run's. Standardised runs are
 * standardised the same way (column means and population standard deviations), the
 * log-likelihood brought back to the data's units as the app reports it.
 */
import type { GmmParams } from '../../../../shared/algorithms/gmm';
import { mixtureSchema, type Mixture } from '../../../../shared/artifacts';
import type { Store } from '../../store';
import type { Bundle } from '../bundle';

/**
 * The starting mixture of the restart the run kept: mixture snapshots are stored at every step,
 * a restart's starting one at a step without a log-likelihood point (its first E-step follows).
 */
export function keptStartingMixture(
  store: Store,
  runId: number,
  keptRestart: number,
): Mixture | null {
  // Looked up a step at a time through the index (an imported run may have millions of points).
  const hasLogLik = (step: number) =>
    store.metricPage(runId, 'meanLogLikelihood', step - 1, 1).steps[0] === step;
  // By step, the last written of a step winning: a run restarted on another backend (the CPU
  // fallback) writes its steps again.
  const byStep = new Map(store.listArtifacts(runId, 'mixture').map((a) => [a.step, a]));
  const starts = [...byStep.values()]
    .filter((a) => !hasLogLik(a.step))
    .sort((a, b) => a.step - b.step);
  const start = starts[keptRestart];
  const parsed = start ? mixtureSchema.safeParse(start.meta) : null;
  return parsed?.success ? parsed.data : null;
}

/** `data.csv`: the run's columns of the rows it was fitted to, every value to full precision. */
function* dataCsv(columns: string[], values: Float64Array): Generator<string> {
  const d = columns.length;
  yield columns.map((c) => JSON.stringify(c)).join(',') + '\n';
  const rows = values.length / d;
  for (let first = 0; first < rows; first += 4096) {
    const lines: string[] = [];
    for (let i = first; i < Math.min(rows, first + 4096); i++)
      lines.push(Array.from(values.subarray(i * d, (i + 1) * d), String).join(','));
    yield lines.join('\n') + '\n';
  }
}

const script = (setup: object) => `#!/usr/bin/env python3
"""Reproduces a Latent Lab GMM run with scikit-learn's GaussianMixture.

The same rows (data.csv, beside this script), the same starting mixture (the restart the run
kept), covariance type, tolerance, iteration cap and reg_covar. Prints one JSON line: scikit-learn's
mean log-likelihood per row beside the run's, and both iteration counts.

    python3 fit_sklearn.py        (needs numpy and scikit-learn: apt-get install python3-sklearn)
"""
import json
import os
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

RUN = json.loads(r"""${JSON.stringify(setup, null, 2)}""")

here = os.path.dirname(os.path.abspath(__file__))
X = np.loadtxt(os.path.join(here, "data.csv"), delimiter=",", skiprows=1, ndmin=2)

# Standardised as the app does it: column means, population standard deviations. The
# log-likelihood in the data's units is then the standardised one minus sum(log(scale)).
if RUN["standardize"]:
    centre, scale = X.mean(axis=0), X.std(axis=0)
else:
    centre, scale = np.zeros(X.shape[1]), np.ones(X.shape[1])
Xs = (X - centre) / scale

start = RUN["start"]
weights = np.array(start["weights"])
means = (np.array(start["means"]) - centre) / scale
covariances = np.array(start["covariances"]) / np.outer(scale, scale)
kind = RUN["covariance_type"]
if kind == "full":
    precisions = np.linalg.inv(covariances)
elif kind == "tied":
    precisions = np.linalg.inv(covariances[0])
elif kind == "diag":
    precisions = 1.0 / np.diagonal(covariances, axis1=1, axis2=2)
else:  # spherical
    precisions = 1.0 / covariances[:, 0, 0]

gm = GaussianMixture(
    n_components=len(weights),
    covariance_type=kind,
    tol=RUN["tol"],
    max_iter=RUN["max_iter"],
    reg_covar=RUN["reg_covar"],
    weights_init=weights / weights.sum(),
    means_init=means,
    precisions_init=precisions,
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    gm.fit(Xs)
ll = float(gm.score(Xs) - np.log(scale).sum())
print(json.dumps({
    "sklearn_mean_log_likelihood": ll,
    "latent_lab_mean_log_likelihood": RUN["mean_log_likelihood"],
    "difference": None if RUN["mean_log_likelihood"] is None else ll - RUN["mean_log_likelihood"],
    "sklearn_iterations": int(gm.n_iter_),
    "sklearn_converged": bool(gm.converged_),
    "latent_lab_iterations": RUN["iterations"],
}))
`;

/** The script and data.csv, or the sentence that says why there are none. */
export function sklearnFiles(
  bundle: Bundle,
  run: {
    params: Record<string, unknown>;
    columns: string[];
    summary: Record<string, unknown> | null;
  },
  data: { values: Float64Array } | null,
  start: Mixture | null,
): string | null {
  if (!data) return 'No scikit-learn script: the data set is no longer in the library.';
  if (!start) return 'No scikit-learn script: the run kept no starting mixture.';
  const params = run.params as unknown as GmmParams;
  const summary = run.summary ?? {};
  bundle.add(
    'fit_sklearn.py',
    script({
      covariance_type: params.covarianceType,
      tol: params.tol,
      max_iter: params.maxIter,
      reg_covar: params.regCovar,
      standardize: params.standardize,
      start,
      mean_log_likelihood:
        typeof summary.meanLogLikelihood === 'number' ? summary.meanLogLikelihood : null,
      iterations: typeof summary.iterations === 'number' ? summary.iterations : null,
    }),
    'a scikit-learn script that fits GaussianMixture to data.csv from the same starting mixture and settings, and prints its mean log-likelihood beside the run’s (python3 fit_sklearn.py)',
  );
  bundle.add(
    'data.csv',
    { chunks: () => dataCsv(run.columns, data.values) },
    'the rows the run was fitted to, its columns only, every value to full precision (what fit_sklearn.py reads)',
  );
  return null;
}
