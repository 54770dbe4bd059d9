/**
 * The web shell with the toy registered in the host (its spec and exporter) and in the engine
 * (the worker is test/toy/worker.ts, run by tsx), serving the page built by build.ts. Prints the
 * URL as the web shell does. Run with `node --import tsx test/toy/server.ts DATA_DIR`.
 */
import { resolve } from 'node:path';
import { createHost } from '../../src/main/host/host';
import { forkLauncher } from '../../src/main/host/fork-launcher';
import { startWebServer } from '../../src/main/web-server';
import { toyRendererDir } from './build';
import { registerToyExporter } from './export';
import { registerToySpec } from './spec';

registerToySpec();
registerToyExporter();

const host = await createHost({
  dataDir: process.argv[2],
  resourcesDir: resolve(import.meta.dirname, '../../resources'),
  launchWorker: forkLauncher(resolve(import.meta.dirname, 'worker.ts'), {
    ...process.env,
    NODE_OPTIONS: '--import tsx',
  }),
  version: 'toy',
});
const server = await startWebServer({ host, rendererDir: toyRendererDir });
console.log(`Latent Lab is serving on ${server.url}`);
process.on('SIGTERM', () => {
  void server.close().then(() => {
    host.close();
    process.exit(0);
  });
});
