/** Builds the app's page with the toy registered into out/toy-renderer (vite, as the app's build). */
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { build } from 'vite';

export const toyRendererDir = resolve(import.meta.dirname, '../../out/toy-renderer');

export async function buildToyRenderer(): Promise<void> {
  await build({
    root: import.meta.dirname,
    configFile: false,
    logLevel: 'error',
    plugins: [react()],
    build: { outDir: toyRendererDir, emptyOutDir: true, minify: false, chunkSizeWarningLimit: 1e5 },
  });
}
