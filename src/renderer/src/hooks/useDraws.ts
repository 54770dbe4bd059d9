import { useEffect, useMemo, useRef, useState } from 'react';
import { DrawsAccumulator, type AssembledDraws } from '../../../shared/draws';
import { useApi } from '../context';

/**
 * Every draw of an MCMC run so far. The host pushes only the newest chunk per flush, so a pushed
 * chunk is a hint: the hook then fetches the chunks after the last one it holds (one request at
 * a time), keeping the draws complete and in order however fast the run goes.
 */
export function useDraws(runId: number, ended: boolean): AssembledDraws | null {
  const api = useApi();
  const acc = useRef(new DrawsAccumulator());
  const [version, setVersion] = useState(0);
  const catchUpRef = useRef<() => Promise<void>>(async () => {});
  useEffect(() => {
    acc.current = new DrawsAccumulator();
    setVersion((v) => v + 1);
    let current = true;
    let inFlight = false;
    let again = false;
    let lastStep = -1;
    const catchUp = async () => {
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      try {
        do {
          again = false;
          const list = await api.call('runs.artifacts', {
            id: runId,
            kind: 'draws',
            ...(lastStep >= 0 ? { afterStep: lastStep } : {}),
          });
          if (!current) return;
          let added = false;
          for (const a of list) {
            if (acc.current.add(a.meta, a.data)) added = true;
            lastStep = Math.max(lastStep, a.step);
          }
          if (added) setVersion((v) => v + 1);
        } while (again && current);
      } catch {
        // A failed fetch is retried at the next push or when the run ends.
      } finally {
        inFlight = false;
      }
    };
    catchUpRef.current = catchUp;
    const off = api.on('run.artifact', (e) => {
      if (e.runId === runId && e.artifact.kind === 'draws') void catchUp();
    });
    void catchUp();
    return () => {
      current = false;
      off();
    };
  }, [api, runId]);
  // Once the run has ended: whatever the last pushes did not announce.
  useEffect(() => {
    if (ended) void catchUpRef.current();
  }, [ended]);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- `version` marks new chunks in the ref
  return useMemo(() => acc.current.snapshot(), [version]);
}
