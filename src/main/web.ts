/**
 * `npm run web`: the web shell. The same renderer as the desktop app, served with the contract on
 * 127.0.0.1, over the same host services and database.
 *   --port N      (default: a free port)
 *   --db PATH     database file (or LATENT_LAB_DB); --data-dir DIR (or LATENT_LAB_DATA_DIR)
 */
import { parseArgs } from 'node:util';
import { createHost } from './host/host';
import { forkLauncher } from './host/fork-launcher';
import { builtAppPaths, defaultDataDir } from './paths';
import { startWebServer } from './web-server';
import { version } from '../../package.json';

async function main(): Promise<void> {
  const t0 = performance.now();
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      db: { type: 'string' },
      'data-dir': { type: 'string' },
    },
  });
  const paths = builtAppPaths(import.meta.dirname);
  const dataDir = values['data-dir'] ?? defaultDataDir();
  const host = await createHost({
    dataDir,
    dbPath: values.db ?? process.env.LATENT_LAB_DB,
    resourcesDir: paths.resourcesDir,
    launchWorker: forkLauncher(paths.workerPath),
    formulaThreadPath: paths.formulaThreadPath,
    version,
    warmWorker: true,
  });
  const server = await startWebServer({
    host,
    rendererDir: paths.rendererDir,
    port: values.port ? Number(values.port) : undefined,
    token: process.env.LATENT_LAB_TOKEN,
  });
  console.log(`Latent Lab is serving on ${server.url}`);
  console.log(
    `(data: ${values.db ?? process.env.LATENT_LAB_DB ?? dataDir}; ready in ${Math.round(performance.now() - t0)} ms; Ctrl+C to stop)`,
  );
  const stop = async () => {
    await server.close();
    host.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(`latent-lab web: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
