/** Builds the app's page with the toy registered into out/toy-renderer (vite, as the app's build). */
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { build } from 'vite';

export const toyRendererDir = resolve(__dirname, '../../out/toy-renderer');

export async function buildToyRenderer(): Promise<void> {
  await build({
    root: __dirname,
    configFile: false,
    logLevel: 'warn',
    plugins: [react()],
    build: { outDir: toyRendererDir, emptyOutDir: true, minify: false, chunkSizeWarningLimit: 1e5 },
  });
}
