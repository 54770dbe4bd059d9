/**
 * The Electron shell's entry: hands the real electron API to the shell's logic
 * (desktop/desktop-app.ts), which the tests run with a stand-in.
 */
import * as electron from 'electron';
import { startDesktop } from './desktop/desktop-app';
import { builtAppPaths } from './paths';

startDesktop({ electron, paths: builtAppPaths(import.meta.dirname) }).catch((e: unknown) => {
  console.error(e);
  electron.app.exit(1);
});
