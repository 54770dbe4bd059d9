import { createContext, useContext } from 'react';
import type { Api } from '../../shared/api';

export const ApiContext = createContext<Api | null>(null);

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside ApiContext');
  return api;
}

/** Hash routes: #/data, #/data/ID, #/new?dataset=ID, #/runs, #/run/ID. */
export function navigate(hash: string): void {
  location.hash = hash;
}
