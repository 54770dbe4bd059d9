import { useEffect, useState } from 'react';
import type { RunQueue } from '../../../shared/api';
import { useApi } from '../context';

/**
 * Where a queued run stands in the host's queue, kept live: its place (1 = next) and how many
 * runs the host runs at once; null while unknown or not queued here (queued by the CLI).
 */
export function useQueuePlace(
  runId: number,
  queued: boolean,
): { position: number; maxWorkers: number } | null {
  const api = useApi();
  const [queue, setQueue] = useState<RunQueue | null>(null);
  useEffect(() => {
    if (!queued) return;
    let current = true;
    const off = api.on('runs.queue', (q) => setQueue(q));
    // The answer comes after any event sent before it (one ordered channel): it is the newest.
    api.call('runs.queue', {}).then(
      (q) => current && setQueue(q),
      () => undefined, // an older host: the page says only that the run waits
    );
    return () => {
      current = false;
      off();
    };
  }, [api, runId, queued]);
  const index = queue?.queued.indexOf(runId) ?? -1;
  return queued && queue && index >= 0
    ? { position: index + 1, maxWorkers: queue.maxWorkers }
    : null;
}
