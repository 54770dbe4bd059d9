/** The web shell's server over a real host and SQLite file: token, Host/Origin checks, WebSocket. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unzipSync } from 'fflate';
import WebSocket from 'ws';
import {
  ApiError,
  EXPORT_ZIP_PATH,
  MAX_ERROR_MESSAGE_CHARS,
  MAX_QUOTED_CHARS,
  MAX_REQUEST_FRAME_BYTES,
  MAX_SENT_POINTS,
  UPLOAD_CHUNK_BYTES,
  type DatasetMeta,
  type DatasetValues,
} from '../../src/shared/api';
import { decodeFrame, encodeFrame, type ServerMessage } from '../../src/shared/wire';
import type { Host } from '../../src/main/host/host';
import { EventBus } from '../../src/main/host/events';
import { startWebServer, type WebServer } from '../../src/main/web-server';
import { runExporters } from '../../src/main/host/export';
import { openTestHost, type TestHost } from './helpers';

let tmp: TestHost;
let host: Host;
let server: WebServer;

beforeAll(async () => {
  tmp = await openTestHost('web', {
    dataIn: 'data',
    launchWorker: () => {
      throw new Error('no runs in web tests');
    },
  });
  host = tmp.host;
  const rendererDir = join(tmp.dir, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Latent Lab</title>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1);');
  writeFileSync(join(tmp.dir, 'secret.txt'), 'not for the browser');
  server = await startWebServer({ host, rendererDir });
});
afterAll(async () => {
  await server?.close();
  tmp?.close();
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request, so the test controls the Host and Origin headers exactly. */
function get(path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        path,
        method: 'GET',
        headers: { host: `127.0.0.1:${server.port}`, ...headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const withToken = (path: string) => `${path}${path.includes('?') ? '&' : '?'}token=${server.token}`;

/** Opens a WebSocket; resolves with it once open, or with the HTTP status that refused it. */
function connect(path: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}${path}`, options);
    ws.on('open', () => resolve(ws));
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? -1));
    ws.on('error', reject);
  });
}

function call(ws: WebSocket, id: number, name: string, input: unknown): Promise<ServerMessage> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer, isBinary: boolean) => {
      expect(isBinary).toBe(true);
      const m = decodeFrame(
        new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      ) as ServerMessage;
      if (m.t === 'result' && m.id === id) {
        ws.off('message', onMessage);
        resolve(m);
      }
    };
    ws.on('message', onMessage);
    ws.send(encodeFrame({ t: 'call', id, name, input }));
  });
}

describe('web shell over HTTP', () => {
  it('listens on 127.0.0.1 with a random token in the printed URL', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token).toMatch(/^[0-9a-f]{48}$/);
  });

  it('refuses a request without the token, or with a wrong one', async () => {
    const none = await get('/');
    expect(none.status).toBe(401);
    expect(none.body).not.toContain('<title>Latent Lab</title>'); // not the app's page
    expect((await get('/assets/app.js')).status).toBe(401);
    expect((await get('/?token=wrong')).status).toBe(401);
    const almost = server.token.slice(0, -1) + (server.token.endsWith('a') ? 'b' : 'a');
    expect((await get(`/?token=${almost}`)).status).toBe(401);
    expect((await get('/', { cookie: 'latent_lab_token=nope' })).status).toBe(401);
  });

  it('answers a browser without the token with a page saying how to get in, in both languages', async () => {
    const page = await get('/runs/%3Cscript%3Ealert(1)%3C/script%3E?token=wrong', {
      'accept-language': 'en-GB,en;q=0.9,zh-CN;q=0.8',
    });
    expect(page.status).toBe(401);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['set-cookie']).toBeUndefined();
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    // How to get in, in English then Chinese, with this server's address to look for.
    const english = page.body.indexOf('npm run web');
    const chinese = page.body.indexOf('打开应用的方法');
    expect(english).toBeGreaterThan(0);
    expect(chinese).toBeGreaterThan(english);
    expect(page.body).toContain(`http://127.0.0.1:${server.port}/?token=…`);
    // Nothing of the key, nothing of the request, nothing to run.
    expect(page.body).not.toContain(server.token);
    expect(page.body).not.toContain('wrong');
    expect(page.body).not.toMatch(/<script|alert\(/i);
    // A reader who prefers Chinese gets it first.
    const zh = (await get('/', { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' })).body;
    expect(zh.indexOf('打开应用的方法')).toBeLessThan(zh.indexOf('To open the app'));
    expect(zh).toContain('<html lang="zh-CN">');
  });

  it('serves with the token and sets a strict HttpOnly cookie that then suffices', async () => {
    const first = await get(withToken('/'));
    expect(first.status).toBe(200);
    expect(first.body).toContain('<title>Latent Lab</title>');
    const cookie = String(first.headers['set-cookie']);
    expect(cookie).toContain(`latent_lab_token=${server.token}`);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(first.headers['content-security-policy']).toMatch(/default-src 'self'/);

    const next = await get('/assets/app.js', {
      cookie: `other=1; latent_lab_token=${server.token}`,
    });
    expect(next.status).toBe(200);
    expect(next.body).toBe('console.log(1);');
    expect(next.headers['content-type']).toMatch(/javascript/);
    // Single-page routes fall back to index.html.
    expect((await get('/runs/3', { cookie: `latent_lab_token=${server.token}` })).body).toContain(
      'Latent Lab',
    );
  });

  it('refuses a foreign Origin even with a valid token', async () => {
    const foreign = await get(withToken('/'), { origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.headers['set-cookie']).toBeUndefined();
    const otherPort = await get(withToken('/'), { origin: `http://127.0.0.1:${server.port + 1}` });
    expect(otherPort.status).toBe(403);
    expect((await get(withToken('/'), { origin: `http://localhost:${server.port}` })).status).toBe(
      200,
    );
  });

  it('refuses a foreign Host header (DNS rebinding) even with a valid token', async () => {
    const rebound = await get(withToken('/'), { host: `evil.example:${server.port}` });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toMatch(/Host/);
    expect((await get(withToken('/'), { host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('does not serve files outside the renderer folder', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const r = await get(withToken(path));
      expect(r.body).not.toContain('not for the browser');
    }
  });
});

/** A GET whose body is kept as bytes (a zip). */
function getBytes(path: string, method = 'GET'): Promise<Reply & { bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        path,
        method,
        headers: { host: `127.0.0.1:${server.port}`, cookie: `latent_lab_token=${server.token}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const bytes = Buffer.concat(chunks);
          resolve({ status: res.statusCode!, headers: res.headers, body: bytes.toString(), bytes });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A sampler run written straight into the store (no worker here). */
const storedRun = (name: string) =>
  host.store.createRun({
    name,
    algorithm: 'mcmc',
    datasetId: null,
    datasetName: '',
    columns: [],
    params: {},
    seed: 1,
  });

describe('web shell zip download', () => {
  /** A finished run with a few metrics. */
  function finishedRun(): number {
    const store = host.store;
    const run = storedRun('zipped');
    store.insertMetrics(
      run.id,
      Array.from({ length: 50 }, (_, i) => ({
        key: 'acceptRate',
        step: i,
        value: i / 50,
        wallMs: i,
      })),
    );
    store.finishRun(run.id, 'failed', { error: 'stopped for the test' });
    return run.id;
  }

  it('streams the same files as the folder export, named after the run', async () => {
    const id = finishedRun();
    const r = await getBytes(`${EXPORT_ZIP_PATH}?ids=${id}`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/zip');
    expect(r.headers['content-disposition']).toBe(
      `attachment; filename="latent-lab-run-${id}.zip"`,
    );
    const files = unzipSync(new Uint8Array(r.bytes));
    const folder = join(tmp.dir, `export-${id}`);
    const exported = await host.call('runs.export', { ids: [id], dir: folder });
    expect(Object.keys(files).sort()).toEqual([...exported.files].sort());
    expect(new TextDecoder().decode(files['metrics.csv'])).toBe(
      readFileSync(join(folder, 'metrics.csv'), 'utf8'),
    );
    // HEAD says the same without a body.
    const head = await getBytes(`${EXPORT_ZIP_PATH}?ids=${id}`, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.bytes.length).toBe(0);
  });

  it('refuses unknown runs (404), bad ids (400) and a missing token (401) before any byte', async () => {
    const unknown = await getBytes(`${EXPORT_ZIP_PATH}?ids=999999`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain('999999');
    for (const ids of ['', 'x', '1,2,3,4,5,6,7', '-1', '1.5'])
      expect((await getBytes(`${EXPORT_ZIP_PATH}?ids=${ids}`)).status, ids).toBe(400);
    expect((await get(`${EXPORT_ZIP_PATH}?ids=1`)).status).toBe(401);
  });

  it('answers a failure while the files are made with its reason, before any zip byte', async () => {
    const run = host.store.createRun({
      name: 'unexportable',
      algorithm: 'broken-exporter',
      datasetId: null,
      datasetName: '',
      columns: [],
      params: {},
      seed: 1,
    });
    host.store.finishRun(run.id, 'failed', { error: 'for the test' });
    runExporters['broken-exporter'] = {
      files() {
        throw new ApiError('internal', 'the exporter broke on purpose');
      },
    };
    try {
      const r = await getBytes(`${EXPORT_ZIP_PATH}?ids=${run.id}`);
      expect(r.status).toBe(500);
      expect(r.headers['content-type']).toMatch(/^text\/plain/);
      expect(r.body).toContain('the exporter broke on purpose');
    } finally {
      delete runExporters['broken-exporter'];
    }
  });

  it('a download the browser drops after its first bytes ends cleanly, and the server keeps serving', async () => {
    const id = finishedRun();
    await new Promise<void>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: server.port,
          path: `${EXPORT_ZIP_PATH}?ids=${id}`,
          headers: { host: `127.0.0.1:${server.port}`, cookie: `latent_lab_token=${server.token}` },
        },
        (res) => {
          expect(res.statusCode).toBe(200);
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        },
      );
      req.on('error', () => undefined);
      req.on('close', () => resolve());
      req.end();
      setTimeout(() => reject(new Error('no byte came')), 10_000);
    });
    const again = await getBytes(`${EXPORT_ZIP_PATH}?ids=${id}`);
    expect(again.status).toBe(200);
    expect(Object.keys(unzipSync(new Uint8Array(again.bytes)))).toContain('metrics.csv');
  });
});

describe('runs.metrics of a long run', () => {
  it('sends a long series thinned to its envelope, with its total; a short one whole', async () => {
    const store = host.store;
    const run = storedRun('long');
    const n = 3 * MAX_SENT_POINTS;
    const points = Array.from({ length: n }, (_, i) => ({
      key: 'logDensity',
      step: i,
      // A smooth wave with one spike down and one up that thinning must keep.
      value: i === 12_345 ? -1000 : i === 54_321 ? 1000 : Math.sin(i / 500),
      wallMs: 2 * i,
    }));
    points.push({ key: 'acceptRate', step: 0, value: 0.5, wallMs: 0 });
    points.push({ key: 'acceptRate', step: 1, value: 0.25, wallMs: 7 });
    store.insertMetrics(run.id, points);
    const series = await host.call('runs.metrics', { id: run.id });
    const long = series.find((m) => m.key === 'logDensity')!;
    expect(long.total).toBe(n);
    expect(long.steps.length).toBeLessThanOrEqual(MAX_SENT_POINTS);
    expect(long.steps.length).toBeGreaterThan(MAX_SENT_POINTS / 2);
    expect([long.steps[0], long.steps.at(-1)]).toEqual([0, n - 1]);
    expect(Math.min(...long.values)).toBe(-1000);
    expect(Math.max(...long.values)).toBe(1000);
    // Each kept point keeps its own wall time.
    long.steps.forEach((step, i) => expect(long.wallMs[i]).toBe(2 * step));
    expect(series.find((m) => m.key === 'acceptRate')).toEqual({
      key: 'acceptRate',
      steps: Float64Array.from([0, 1]),
      values: Float64Array.from([0.5, 0.25]),
      wallMs: Float64Array.from([0, 7]),
    });
  });
});

describe('web shell over WebSocket', () => {
  it('refuses a WebSocket without the token', async () => {
    expect(await connect('/api')).toBe(401);
    expect(await connect('/api?token=wrong')).toBe(401);
  });

  it('refuses a WebSocket from a foreign Origin', async () => {
    expect(await connect(withToken('/api'), { origin: 'http://evil.example' })).toBe(403);
    expect(
      await connect(withToken('/api'), { headers: { host: `evil.example:${server.port}` } }),
    ).toBe(403);
  });

  it('carries contract calls as binary frames', async () => {
    const ws = await connect(withToken('/api'), { origin: `http://127.0.0.1:${server.port}` });
    if (typeof ws === 'number') throw new Error(`refused with ${ws}`);
    try {
      const list = await call(ws, 1, 'datasets.list', {});
      expect(list).toMatchObject({ t: 'result', id: 1, ok: true });
      const datasets = (list as { value: DatasetMeta[] }).value;
      const faithful = datasets.find((d) => d.name === 'Old Faithful')!;
      expect(faithful).toMatchObject({ builtin: true, rows: 272 });

      const values = await call(ws, 2, 'datasets.values', { id: faithful.id });
      const v = (values as { value: DatasetValues }).value;
      expect(v.values).toBeInstanceOf(Float64Array);
      expect(v.values.length).toBe(272 * 2);
      expect(Array.from(v.values.subarray(0, 2))).toEqual([3.6, 79]);
      expect(Array.from(v.values)).toEqual(
        Array.from(host.store.datasetValues(faithful.id)!.values),
      );

      // Errors keep their code across the wire.
      const bad = await call(ws, 3, 'datasets.values', { id: -1 });
      expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
      expect((bad as { error: { message: string } }).error.message).toMatch(/id: /);
      const unknown = await call(ws, 4, 'datasets.drop', {});
      expect(unknown).toMatchObject({ ok: false, error: { code: 'invalid-input' } });

      // Events reach the socket too.
      const event = new Promise<ServerMessage>((resolve) =>
        ws.on('message', (data: Buffer) => {
          const m = decodeFrame(new Uint8Array(data)) as ServerMessage;
          if (m.t === 'event') resolve(m);
        }),
      );
      const imported = await call(ws, 5, 'datasets.import', {
        source: { kind: 'text', text: 'x\n1\n2\n' },
        name: 'tiny',
      });
      expect(imported).toMatchObject({ ok: true, value: { dataset: { name: 'tiny', rows: 2 } } });
      expect(await event).toEqual({
        t: 'event',
        name: 'datasets.changed',
        payload: { reason: 'imported' },
      });
    } finally {
      ws.close();
    }
  });

  it('closes a socket that sends a malformed frame', async () => {
    const ws = await connect(withToken('/api'));
    if (typeof ws === 'number') throw new Error(`refused with ${ws}`);
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    ws.send(Uint8Array.from([255, 255, 255, 255, 1]));
    expect(await closed).toBe(1003);
  });
});

describe('web shell against hostile input', () => {
  it('answers a malformed URL with 400, not 500', async () => {
    const r = await get(withToken('/%'));
    expect(r.status).toBe(400);
    expect((await get('/%', { cookie: `latent_lab_token=${server.token}` })).status).toBe(400);
    // And keeps serving.
    expect((await get(withToken('/'))).status).toBe(200);
  });

  /** A socket's close code and reason. */
  function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
    return new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }
  async function open(): Promise<WebSocket> {
    const ws = await connect(withToken('/api'));
    if (typeof ws === 'number') throw new Error(`refused with ${ws}`);
    return ws;
  }

  it('closes a socket that sends a text frame, saying why', async () => {
    const ws = await open();
    const end = closed(ws);
    ws.send(JSON.stringify({ t: 'call', id: 1, name: 'datasets.list', input: {} }));
    expect(await end).toEqual({ code: 1003, reason: expect.stringMatching(/text frames/) });
  });

  it('closes a socket whose call has no numeric id, saying why; answers one that has', async () => {
    const ws = await open();
    // A decodable frame that is not a call, with an id: answered with an error.
    const answered = await new Promise<ServerMessage>((resolve) => {
      ws.once('message', (data: Buffer) => resolve(decodeFrame(new Uint8Array(data)) as never));
      ws.send(encodeFrame({ t: 'hello', id: 7 }));
    });
    expect(answered).toMatchObject({ t: 'result', id: 7, ok: false });
    const end = closed(ws);
    ws.send(encodeFrame({ t: 'call', id: 'one', name: 'datasets.list', input: {} }));
    expect(await end).toEqual({ code: 1008, reason: expect.stringMatching(/numeric id/) });
  });

  it('closes a socket that sends a frame over the limit (1009), and serves the others', async () => {
    const ws = await open();
    const end = closed(ws);
    ws.send(new Uint8Array(MAX_REQUEST_FRAME_BYTES + 1));
    expect((await end).code).toBe(1009);
    const other = await open();
    try {
      expect(await call(other, 1, 'datasets.list', {})).toMatchObject({ ok: true });
    } finally {
      other.close();
    }
  });

  it('takes an upload chunk of the full size under the frame limit', async () => {
    const ws = await open();
    try {
      const size = UPLOAD_CHUNK_BYTES + 10;
      const begun = (await call(ws, 1, 'uploads.begin', { size })) as { value: { id: string } };
      const chunk = new Uint8Array(UPLOAD_CHUNK_BYTES).fill(49);
      expect(
        encodeFrame({ t: 'call', id: 2, name: 'uploads.chunk', input: {} }).length,
      ).toBeLessThan(MAX_REQUEST_FRAME_BYTES - UPLOAD_CHUNK_BYTES);
      const sent = await call(ws, 2, 'uploads.chunk', {
        id: begun.value.id,
        offset: 0,
        data: chunk,
      });
      expect(sent).toMatchObject({ ok: true, value: { received: UPLOAD_CHUNK_BYTES } });
    } finally {
      ws.close();
    }
  });

  it('cuts a huge value quoted in an error to a few hundred characters', async () => {
    const ws = await open();
    try {
      const name = 'x'.repeat(1_000_000);
      const reply = (await call(ws, 1, name, {})) as {
        ok: false;
        error: { message: string; text?: { vars?: Record<string, string> } };
      };
      expect(reply.ok).toBe(false);
      expect(reply.error.message.length).toBeLessThan(MAX_QUOTED_CHARS + 100);
      expect(reply.error.message).toContain('…');
      expect(reply.error.text?.vars?.name.length).toBe(MAX_QUOTED_CHARS);
      const algorithm = 'y'.repeat(1_000_000);
      const start = (await call(ws, 2, 'runs.start', {
        algorithm,
        datasetId: null,
        columns: [],
        params: {},
        seed: 1,
      })) as { ok: false; error: { message: string } };
      expect(start.error.message.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_CHARS);
    } finally {
      ws.close();
    }
  });
});

describe('web shell back-pressure', () => {
  /** A host with no store: it answers `ping` and pushes the events the test emits. */
  const bus = new EventBus();
  let bigAnswered = 0;
  const fakeHost = {
    handle: async (name: string) => {
      if (name === 'ping') return 'pong';
      if (name === 'big') {
        bigAnswered++;
        return new Uint8Array(1024 * 1024);
      }
      throw new ApiError('invalid-input', `unknown request ${name}`);
    },
    on: bus.on.bind(bus),
  } as unknown as Host;
  let small: WebServer;
  const limit = 1024 * 1024;

  beforeAll(async () => {
    small = await startWebServer({
      host: fakeHost,
      rendererDir: join(tmp.dir, 'renderer'),
      clientLimits: { maxUnreadEventBytes: limit, maxUnreadBytes: 8 * limit, closeGraceMs: 30_000 },
    });
  });
  afterAll(async () => small?.close());

  function openSmall(): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${small.port}/api?token=${small.token}`);
      ws.on('open', () => resolve(ws));
      ws.on('error', reject);
    });
  }

  it('drops a client that stops reading while another keeps receiving every event', async () => {
    const healthy = await openSmall();
    const stalled = await openSmall();
    let received = 0;
    healthy.on('message', () => received++);
    let stalledReceived = 0;
    stalled.on('message', () => stalledReceived++);
    const stalledClosed = new Promise<{ code: number; reason: string }>((resolve) =>
      stalled.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    // The stalled client's own socket stops reading: its kernel buffers fill, then the server's.
    (stalled as unknown as { _socket: { pause(): void } })._socket.pause();
    expect(small.connections()).toBe(2);

    const payload = { runId: 1, points: [{ step: 0, key: 'x'.repeat(64 * 1024), value: 1 }] };
    const events = 600; // ~40 MB each: far past the kernel's buffers and the 1 MB limit
    for (let i = 0; i < events; i++) {
      bus.emit('run.metrics', payload);
      // Paced as a run's events are, so a client that reads is never behind by much.
      await new Promise((r) => setTimeout(r, 2));
    }
    await expect.poll(() => small.connections(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => received, { timeout: 20_000 }).toBe(events);
    expect(healthy.readyState).toBe(WebSocket.OPEN);

    // Reading again, the stalled client finds what was buffered, then why it was closed.
    (stalled as unknown as { _socket: { resume(): void } })._socket.resume();
    const why = await stalledClosed;
    expect(why.code).toBe(1013);
    expect(why.reason).toMatch(/too slow.*reconnect/);
    expect(stalledReceived).toBeLessThan(events);

    // It may connect again, and is served.
    const again = await openSmall();
    const pong = await new Promise<ServerMessage>((resolve) => {
      again.once('message', (data: Buffer) => resolve(decodeFrame(new Uint8Array(data)) as never));
      again.send(encodeFrame({ t: 'call', id: 1, name: 'ping', input: {} }));
    });
    expect(pong).toMatchObject({ ok: true, value: 'pong' });
    again.close();
    healthy.close();
  });

  it('stops answering the calls of a client that does not read its answers, until it reads', async () => {
    const stalled = await openSmall();
    const socket = (stalled as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    let answers = 0;
    stalled.on('message', () => answers++);
    // 300 calls at once, each answered with 1 MB: 300 MB if all were answered unread.
    const calls = 300;
    for (let id = 1; id <= calls; id++)
      stalled.send(encodeFrame({ t: 'call', id, name: 'big', input: {} }));
    await expect.poll(() => bigAnswered, { timeout: 20_000 }).toBeGreaterThan(0);
    // Let the server go as far as it will: the kernel's buffers, the limit, the calls in flight.
    await new Promise((r) => setTimeout(r, 1500));
    expect(bigAnswered).toBeLessThan(150);
    socket.resume();
    await expect.poll(() => answers, { timeout: 30_000 }).toBe(calls);
    expect(bigAnswered).toBe(calls);
    stalled.close();
  });
});
