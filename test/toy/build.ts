/**
 * Builds the app's page with the toy registered into out/toy-renderer: the app's own index.html
 * (its CSP and all), whose one script is swapped for main.tsx here (the app's entry after the
 * toy's registrations).
 */
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { build } from 'vite';

export const toyRendererDir = resolve(import.meta.dirname, '../../out/toy-renderer');
const appRoot = resolve(import.meta.dirname, '../../src/renderer');
const appEntry = './src/main.tsx';

export async function buildToyRenderer(): Promise<void> {
  await build({
    root: appRoot,
    configFile: false,
    logLevel: 'error',
    plugins: [
      react(),
      {
        name: 'toy-entry',
        transformIndexHtml: {
          order: 'pre',
          handler(html) {
            if (!html.includes(appEntry)) throw new Error(`index.html no longer loads ${appEntry}`);
            return html.replace(appEntry, resolve(import.meta.dirname, 'main.tsx'));
          },
        },
      },
    ],
    build: {
      outDir: toyRendererDir,
      emptyOutDir: true,
      minify: false,
      chunkSizeWarningLimit: 1e5,
    },
  });
}
