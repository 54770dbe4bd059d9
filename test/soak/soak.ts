/**
 * Soak test of the web shell (not part of `npm test`): the built server on a fresh database, N
 * WebSocket clients of which one stops reading, and R runs started by the others (Gaussian
 * mixtures and full-speed samplers, whose events come fast). It prints the server's memory (RSS)
 * once a second as one JSON line, and a summary at the end: peak and final RSS, runs completed,
 * events each reading client received, and how the stalled client was closed (it should be
 * dropped with 1013 while the others keep receiving).
 *
 *   npm run build && npx tsx test/soak/soak.ts [--runs 200] [--clients 20]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import type { DatasetMeta, RunInfo } from '../../src/shared/api';
import { decodeFrame, encodeFrame, type ServerMessage } from '../../src/shared/wire';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '200' },
    clients: { type: 'string', default: '20' },
  },
});
const RUNS = Number(args.runs);
const CLIENTS = Number(args.clients);
const root = resolve(import.meta.dirname, '../..');

/** Resident memory of a process in MB (Linux). */
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

interface Client {
  ws: WebSocket;
  events: number;
  closed?: { code: number; reason: string };
  call<T>(name: string, input: unknown): Promise<T>;
}

function openClient(port: number, token: string): Promise<Client> {
  return new Promise((resolveClient, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api?token=${token}`);
    const pending = new Map<number, (m: ServerMessage) => void>();
    let nextId = 1;
    const client: Client = {
      ws,
      events: 0,
      call<T>(name: string, input: unknown): Promise<T> {
        const id = nextId++;
        return new Promise<T>((ok, fail) => {
          pending.set(id, (m) => {
            if (m.t === 'result' && m.ok) ok(m.value as T);
            else fail(new Error(JSON.stringify(m).slice(0, 300)));
          });
          ws.send(encodeFrame({ t: 'call', id, name, input }));
        });
      },
    };
    ws.on('message', (data: Buffer) => {
      const m = decodeFrame(new Uint8Array(data)) as ServerMessage;
      if (m.t === 'event') client.events++;
      else pending.get(m.id)?.(m);
    });
    ws.on('close', (code, reason) => (client.closed = { code, reason: reason.toString() }));
    ws.on('open', () => resolveClient(client));
    ws.on('error', reject);
  });
}

/** Run i's request: mostly mixtures, every third a sampler at full speed (many events). */
function runRequest(i: number, faithful: number) {
  return i % 3 === 2
    ? {
        algorithm: 'mcmc',
        datasetId: null,
        columns: [],
        params: { target: 'banana', warmup: 500, draws: 3000, pace: 'full' },
        seed: i,
      }
    : {
        algorithm: 'gmm',
        datasetId: faithful,
        columns: ['eruptions', 'waiting'],
        params: { k: 2 + (i % 4) },
        seed: i,
      };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'latent-lab-soak-'));
  const token = 'soak-' + Math.random().toString(36).slice(2);
  const server = spawn(process.execPath, [join(root, 'out/main/web.js'), '--port', '0'], {
    env: { ...process.env, LATENT_LAB_DATA_DIR: dataDir, LATENT_LAB_TOKEN: token },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((ok, fail) => {
    let out = '';
    server.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /127\.0\.0\.1:(\d+)\//.exec(out);
      if (m) ok(Number(m[1]));
    });
    server.once('exit', (code) => fail(new Error(`web shell exited with ${code}`)));
  });
  const started = performance.now();
  const seconds = () => Math.round((performance.now() - started) / 100) / 10;
  const samples: number[] = [];
  const sample = () => {
    const rss = rssMb(server.pid!);
    samples.push(rss);
    return rss;
  };

  try {
    const clients: Client[] = [];
    for (let i = 0; i < CLIENTS; i++) clients.push(await openClient(port, token));
    // The last client stops reading: its socket's buffers fill, then the server's limit is hit.
    const stalled = clients[CLIENTS - 1];
    (stalled.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const readers = clients.slice(0, -1);

    const datasets = await readers[0].call<DatasetMeta[]>('datasets.list', {});
    const faithful = datasets.find((d) => d.name === 'Old Faithful')!.id;
    let settled = 0;
    let completed = 0;
    const runIds: number[] = [];

    const ticker = setInterval(() => {
      console.log(
        JSON.stringify({
          t: seconds(),
          rssMb: Math.round(sample()),
          started: runIds.length,
          settled,
          stalledClient: stalled.closed ? `closed ${stalled.closed.code}` : 'open',
        }),
      );
    }, 1000);

    // Each reading client starts its share of the runs, all queued at once.
    await Promise.all(
      Array.from({ length: RUNS }, async (_, i) => {
        const run = await readers[i % readers.length].call<RunInfo>(
          'runs.start',
          runRequest(i, faithful),
        );
        runIds.push(run.id);
      }),
    );
    // Settled runs, counted from the store through one client.
    while (settled < RUNS) {
      await new Promise((r) => setTimeout(r, 1000));
      const runs = await readers[0].call<RunInfo[]>('runs.list', {});
      const ended = runs.filter((r) => ['completed', 'failed', 'cancelled'].includes(r.status));
      settled = ended.length;
      completed = ended.filter((r) => r.status === 'completed').length;
    }
    clearInterval(ticker);

    // The stalled client reads again: what was buffered for it, then why it was closed.
    (stalled.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    await new Promise((r) => setTimeout(r, 1000));
    console.log(
      JSON.stringify({
        summary: true,
        runs: RUNS,
        completed,
        clients: CLIENTS,
        seconds: seconds(),
        rssMb: {
          first: Math.round(samples[0]),
          peak: Math.round(Math.max(...samples)),
          final: Math.round(sample()),
        },
        eventsPerReader: {
          min: Math.min(...readers.map((c) => c.events)),
          max: Math.max(...readers.map((c) => c.events)),
        },
        readersClosed: readers.filter((c) => c.closed).length,
        stalledClient: stalled.closed ?? 'still open',
        stalledEvents: stalled.events,
      }),
    );
    for (const c of clients) c.ws.terminate();
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
