// Types of electron-native.mjs, for the tests that import it.
export interface InstalledElectron {
  version: string;
  abi: string;
}
export type Prepare = (dir: string, electron: InstalledElectron) => void;
export function installedElectron(root: string): InstalledElectron;
export function electronBinary(root: string): string | null;
export function electronSqliteDir(root: string, abi: string): string;
export function bindingIn(dir: string): string;
export const fetchPrebuilt: Prepare;
export const buildFromSource: Prepare;
export function prepareSqliteForElectron(options: {
  root: string;
  fetch?: Prepare;
  build?: Prepare;
  log?: (line: string) => void;
}):
  | { path: string; electron: InstalledElectron; cached: boolean; error?: undefined }
  | { error: string; electron?: InstalledElectron; path?: undefined; cached?: undefined };
