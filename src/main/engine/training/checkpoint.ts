/** The checkpoint of a training loop written as a plain function (fitVae, fitRbm). */
import { CancelledError } from '../algorithm';

/**
 * A checkpoint that throws CancelledError once `signal` is aborted, then defers to the run's own
 * (pause, step mode); either may be absent (tests, benchmarks).
 */
export function trainingCheckpoint(options: {
  signal?: AbortSignal;
  checkpoint?: (phase: string, step: number) => Promise<void>;
}): (phase: string, step: number) => Promise<void> {
  return async (phase, step) => {
    if (options.signal?.aborted) throw new CancelledError();
    await options.checkpoint?.(phase, step);
  };
}
