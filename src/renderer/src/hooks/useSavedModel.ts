import { useEffect, useState } from 'react';
import { useApi } from '../context';

/**
 * A finished run's 'model' artifact, read into a model by `read` (e.g. readVaeModel,
 * readGanModel); `error` says why it could not be. `read` must be a stable (module-level)
 * function: it is not a dependency of the fetch.
 */
export function useSavedModel<M>(
  runId: number,
  read: (meta: unknown, data: Float32Array) => M,
): { model: M | null; error: string | null } {
  const api = useApi();
  const [model, setModel] = useState<M | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    setModel(null);
    api
      .call('runs.artifacts', { id: runId, kind: 'model', latestOnly: true })
      .then(([saved]) => {
        if (!current || !saved) return;
        if (!(saved.data instanceof Float32Array))
          throw new Error('the saved model has no weights');
        setModel(read(saved.meta, saved.data));
      })
      .catch((e: Error) => current && setError(e.message));
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, runId]);
  return { model, error };
}
