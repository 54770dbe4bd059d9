import { useCallback, useRef, useState } from 'react';

/**
 * Makes an action that creates something (a run, an import, an export) safe under a double click:
 * while one of a key is under way, another of the same key is ignored, and `busy(key)` says so,
 * for disabling its button. The guard is a ref, so a second click that comes before React has
 * drawn the disabled button is ignored too.
 */
export function useInFlight(): {
  /** Runs `action` unless one of this key is under way (then resolves at once). */
  guard(key: string, action: () => Promise<unknown>): Promise<void>;
  busy(key: string): boolean;
} {
  const running = useRef(new Set<string>());
  const [busyKeys, setBusyKeys] = useState<ReadonlySet<string>>(new Set());
  const guard = useCallback(async (key: string, action: () => Promise<unknown>) => {
    if (running.current.has(key)) return;
    running.current.add(key);
    setBusyKeys(new Set(running.current));
    try {
      await action();
    } finally {
      running.current.delete(key);
      setBusyKeys(new Set(running.current));
    }
  }, []);
  const busy = useCallback((key: string) => busyKeys.has(key), [busyKeys]);
  return { guard, busy };
}
