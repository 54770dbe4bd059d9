import { useEffect, useMemo, useState } from 'react';
import type { ArtifactKind } from '../../../shared/artifacts';
import { ApiError, type Api, type RunInfo, type StoredArtifact } from '../../../shared/api';
import { runColumns } from '../../../shared/columns';
import type { RunTable } from '../algorithms/types';
import { useApi } from '../context';

/** step → value, per metric key. */
export type MetricMap = Map<string, Map<number, number>>;

export interface RunData {
  run: RunInfo | null;
  metrics: MetricMap;
  /** The run's columns of its data set, row-major; null while loading or if the data set is gone. */
  data: RunTable;
  error: string | null;
  /** The run does not exist (deleted, or a mistyped address). */
  notFound: boolean;
}

function mergeMetrics(
  prev: MetricMap,
  points: { key: string; step: number; value: number }[],
): MetricMap {
  const next = new Map(prev);
  const copied = new Set<string>();
  for (const p of points) {
    // A new map per touched series (so memoised charts see the change), once per batch.
    if (!copied.has(p.key)) {
      next.set(p.key, new Map(next.get(p.key) ?? []));
      copied.add(p.key);
    }
    next.get(p.key)!.set(p.step, p.value);
  }
  return next;
}

/**
 * The run's columns of its data set, as the engine saw them: the one place the page selects
 * them (the run page and the compare page). Null when the run took no data set, or when the data
 * set or one of its columns is gone.
 */
export async function fetchRunTable(api: Api, run: RunInfo): Promise<RunTable> {
  if (run.datasetId === null) return null;
  const all = await api.call('datasets.values', { id: run.datasetId }).catch(() => null);
  return all ? runColumns(all, run.columns) : null;
}

/**
 * A run, its metrics and its data, kept live: it subscribes before fetching, so nothing streamed
 * in between is lost (merging by step is idempotent).
 */
export function useRunData(runId: number): RunData {
  const api = useApi();
  const [state, setState] = useState<RunData>({
    run: null,
    metrics: new Map(),
    data: null,
    error: null,
    notFound: false,
  });
  useEffect(() => {
    setState({ run: null, metrics: new Map(), data: null, error: null, notFound: false });
    // A fetch that answers after this effect was replaced (another run) must change nothing.
    let current = true;
    const update = (f: (s: RunData) => RunData) => current && setState(f);
    const offs = [
      api.on('run.updated', (r) => r.id === runId && setState((s) => ({ ...s, run: r }))),
      api.on('run.metrics', (e) => {
        if (e.runId === runId)
          setState((s) => ({ ...s, metrics: mergeMetrics(s.metrics, e.points) }));
      }),
    ];
    (async () => {
      const run = await api.call('runs.get', { id: runId });
      update((s) => ({ ...s, run: s.run ?? run }));
      const series = await api.call('runs.metrics', { id: runId });
      const points = series.flatMap((m) =>
        Array.from(m.steps, (step, i) => ({ key: m.key, step, value: m.values[i] })),
      );
      update((s) => ({
        ...s,
        metrics: mergeMetrics(
          points.length ? mergeMetrics(new Map(), points) : new Map(),
          flatten(s.metrics),
        ),
      }));
      const data = await fetchRunTable(api, run);
      if (data) update((s) => ({ ...s, data }));
    })().catch((e: Error) =>
      update((s) => ({
        ...s,
        error: e.message,
        notFound: e instanceof ApiError && e.code === 'not-found' && s.run === null,
      })),
    );
    return () => {
      current = false;
      offs.forEach((off) => off());
    };
  }, [api, runId]);
  return state;
}

/**
 * The artifacts of one kind of a run, by step (the latest wins on equal steps), kept live; an
 * empty map when `kind` is null.
 */
export function useStepArtifacts(
  runId: number,
  kind: ArtifactKind | null,
  ended: boolean,
): Map<number, StoredArtifact> {
  const api = useApi();
  const [artifacts, setArtifacts] = useState<Map<number, StoredArtifact>>(new Map());
  useEffect(() => setArtifacts(new Map()), [runId, kind]);
  // Live, the host pushes only the newest artifact of a kind per flush (a run can make a thousand
  // snapshots a second): what is stored is fetched once now and once more when the run has ended,
  // so every step can be revisited (an ended run: once).
  useEffect(() => {
    if (kind === null) return;
    let current = true;
    const off = ended
      ? undefined
      : api.on('run.artifact', (e) => {
          if (e.runId !== runId || e.artifact.kind !== kind) return;
          setArtifacts((m) => new Map(m).set(e.artifact.step, e.artifact));
        });
    void api
      .call('runs.artifacts', { id: runId, kind })
      .then((stored) => {
        if (!current) return;
        setArtifacts((streamed) => {
          const merged = new Map<number, StoredArtifact>(stored.map((a) => [a.step, a]));
          for (const [step, a] of streamed) merged.set(step, a); // streamed ones are newer
          return merged;
        });
      })
      .catch(() => undefined);
    return () => {
      current = false;
      off?.();
    };
  }, [api, runId, kind, ended]);
  return artifacts;
}

function flatten(m: MetricMap): { key: string; step: number; value: number }[] {
  return [...m].flatMap(([key, series]) =>
    [...series].map(([step, value]) => ({ key, step, value })),
  );
}

/**
 * Every artifact of several kinds, in step order, kept live. Unlike `useRunData`'s map by step,
 * a kind may have several artifacts at one step (a VAE's reconstructions, samples and manifold
 * galleries).
 */
export function useRunArtifacts(
  runId: number,
  ended: boolean,
  kinds: readonly ArtifactKind[],
): StoredArtifact[] {
  const api = useApi();
  const [byId, setById] = useState<Map<number, StoredArtifact>>(new Map());
  const kindList = kinds.join(',');
  useEffect(() => {
    setById(new Map());
    const wanted = kindList.split(',') as ArtifactKind[];
    let current = true;
    const add = (list: StoredArtifact[]) =>
      current &&
      list.length > 0 &&
      setById((m) => {
        const next = new Map(m);
        for (const a of list) next.set(a.id, a);
        return next;
      });
    const fetchKind = (kind: ArtifactKind) =>
      api
        .call('runs.artifacts', { id: runId, kind })
        .then(add)
        .catch(() => undefined);
    // Live, the host pushes the newest artifact of each kind and role; the rest come once the
    // run has ended (below).
    const off = api.on('run.artifact', (e) => {
      if (e.runId === runId && wanted.includes(e.artifact.kind)) add([e.artifact]);
    });
    wanted.forEach((k) => void fetchKind(k));
    return () => {
      current = false;
      off();
    };
  }, [api, runId, kindList]);
  // Once the run has ended: everything, in case the last pushes were cut short.
  useEffect(() => {
    if (!ended) return;
    let current = true;
    for (const kind of kindList.split(',') as ArtifactKind[])
      void api
        .call('runs.artifacts', { id: runId, kind })
        .then((list) =>
          setById((m) => {
            if (!current) return m;
            const next = new Map(m);
            for (const a of list) next.set(a.id, a);
            return next;
          }),
        )
        .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [api, runId, kindList, ended]);
  return useMemo(() => [...byId.values()].sort((a, b) => a.step - b.step || a.id - b.id), [byId]);
}
