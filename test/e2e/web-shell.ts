/** Starts the built web shell on a free port with a fresh database, for one test file. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface WebShell {
  url: string;
  origin: string;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startWebShell(
  dataDir = mkdtempSync(join(tmpdir(), 'latent-lab-e2e-')),
  /** Node's arguments: the built web shell, or another server that prints its URL the same way. */
  args = [resolve('out/main/web.js'), '--port', '0'],
  /** More environment for the server (e.g. LATENT_LAB_TOKEN, to restart it with the same token). */
  env: NodeJS.ProcessEnv = {},
): Promise<WebShell> {
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...process.env, LATENT_LAB_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`web shell did not start: ${stderr}`)), 15_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /serving on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    child.once('exit', (code) => fail(new Error(`web shell exited with ${code}: ${stderr}`)));
  });
  return {
    url,
    origin: new URL(url).origin,
    dataDir,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    },
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * One web shell with a fresh database for the tests of a file: started before them, stopped and
 * removed after. Use the returned object's `url` and `origin` inside tests.
 */
export function webShellForFile(test: {
  beforeAll(fn: () => Promise<void>): void;
  afterAll(fn: () => Promise<void>): void;
}): WebShell {
  const handle = {} as WebShell;
  test.beforeAll(async () => {
    Object.assign(handle, await startWebShell());
  });
  test.afterAll(async () => {
    await handle.stop();
    removeDir(handle.dataDir);
  });
  return handle;
}
