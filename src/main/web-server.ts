/**
 * The web shell's server: the built renderer and the contract (over a WebSocket) on 127.0.0.1.
 * Every HTTP request and WebSocket needs the token printed at start (query `token=`, then a
 * SameSite=Strict cookie); a Host header that is not this server's (DNS rebinding) and a foreign
 * Origin (cross-site requests) are refused.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  ApiError,
  EXPORT_ZIP_PATH,
  MAX_REQUEST_FRAME_BYTES,
  eventNames,
  exportIds,
} from '../shared/api';
import { encodeFrame, type ServerMessage } from '../shared/wire';
import type { Host } from './host/host';
import { tokenPage } from './token-page';
import { WebClient, type ClientLimits } from './web-client';

const cookieName = 'latent_lab_token';
const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
};

export interface WebServer {
  url: string;
  port: number;
  token: string;
  /** WebSocket clients connected now (a client dropped for falling behind is gone from it). */
  connections(): number;
  close(): Promise<void>;
}

function sameToken(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieToken(req: IncomingMessage): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === cookieName) return v.join('=');
  }
  return null;
}

/** The request's URL, or null when it cannot be one (answered 400, not a thrown error). */
function requestUrl(req: IncomingMessage): URL | null {
  try {
    return new URL(req.url ?? '/', 'http://127.0.0.1');
  } catch {
    return null;
  }
}

export async function startWebServer(options: {
  host: Host;
  rendererDir: string;
  port?: number;
  token?: string;
  /** Back-pressure limits per client (the tests make them small). */
  clientLimits?: ClientLimits;
}): Promise<WebServer> {
  const token = options.token ?? randomBytes(24).toString('hex');
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  /** null when allowed, else the status and reason to refuse with. */
  function refusal(req: IncomingMessage, url: URL): [number, string] | null {
    if (!allowedHosts().has(req.headers.host ?? '')) return [403, 'foreign Host header refused'];
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin))
      return [403, 'foreign Origin refused'];
    if (!sameToken(url.searchParams.get('token'), token) && !sameToken(cookieToken(req), token))
      return [401, 'missing or wrong token: open the URL the server printed'];
    return null;
  }

  async function serveStatic(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' }).end('malformed URL\n');
      return;
    }
    const rel = normalize(path).replace(/^([/\\])+/, '');
    let file = join(options.rendererDir, rel);
    if (!file.startsWith(options.rendererDir + sep) && file !== options.rendererDir) {
      res.writeHead(400).end('bad path');
      return;
    }
    const stat = await fs.stat(file).catch(() => null);
    if (!stat?.isFile()) file = join(options.rendererDir, 'index.html'); // single-page app routes
    const type = contentTypes[extname(file)] ?? 'application/octet-stream';
    res.writeHead(200, {
      'Content-Type': type,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy':
        `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; ` +
        `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}; frame-ancestors 'none'`,
      ...(url.searchParams.has('token')
        ? { 'Set-Cookie': `${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/` }
        : {}),
    });
    createReadStream(file).pipe(res);
  }

  /**
   * An export as a zip download, streamed: each piece is written when the browser has taken the
   * last, so the server holds only what is in flight however big the runs are. HEAD checks the
   * runs exist without building anything (the page asks before it starts a download).
   */
  async function serveZip(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const text = (status: number, body: string): void =>
      void res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(body + '\n');
    const ids = exportIds.safeParse(
      (url.searchParams.get('ids') ?? '').split(',').filter(Boolean).map(Number),
    );
    if (!ids.success) return text(400, 'ids: one to six run numbers, as ?ids=1,2');
    let zip: Awaited<ReturnType<Host['exportZip']>>;
    let write: Awaited<ReturnType<typeof zip.build>> | null = null;
    try {
      zip = await options.host.exportZip(ids.data);
      // The files are made before the first byte, so a failure is answered with its reason.
      if (req.method !== 'HEAD') write = await zip.build();
    } catch (e) {
      if (e instanceof ApiError) return text(e.code === 'not-found' ? 404 : 500, e.message);
      throw e;
    }
    res.writeHead(200, {
      'Content-Type': 'application/zip',
      'Content-Disposition': `attachment; filename="${zip.fileName}"`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    if (!write) return void res.end();
    await write(async (piece) => {
      // A browser that cancelled the download ends the export too (the error is the reason).
      if (res.destroyed) throw new Error('the download was cancelled');
      if (!res.write(piece))
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
    });
    res.end();
  }

  const server = createServer((req, res) => {
    const url = requestUrl(req);
    const refused = url ? refusal(req, url) : ([400, 'malformed URL'] as const);
    if (!url || refused) {
      const [status, reason] = refused ?? [400, 'malformed URL'];
      if (status === 401) {
        // A person with an address copied without its key: say how to get in (same status).
        res
          .writeHead(401, {
            'Content-Type': 'text/html; charset=utf-8',
            'Cache-Control': 'no-store',
            'X-Content-Type-Options': 'nosniff',
            'Content-Security-Policy': `default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'`,
          })
          .end(tokenPage(req.headers['accept-language'], `http://127.0.0.1:${port}`));
        return;
      }
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(reason + '\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    (url.pathname === EXPORT_ZIP_PATH ? serveZip : serveStatic)(req, res, url).catch((e: Error) => {
      if (!res.headersSent) res.writeHead(500).end(e.message);
      else res.destroy(); // a zip cut short must not look complete
    });
  });

  const clients = new Map<WebSocket, WebClient>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_REQUEST_FRAME_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const url = requestUrl(req);
    const refused = url ? refusal(req, url) : ([400, 'malformed URL'] as const);
    if (!url || refused || url.pathname !== '/api') {
      const [status, reason] = refused ?? [404, 'not found'];
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.set(ws, new WebClient(ws, options.host.handle, options.clientLimits));
      ws.on('close', () => clients.delete(ws));
      // A frame over the size limit closes the socket (1009) and is reported here: not a crash.
      ws.on('error', () => {});
    });
  });

  const unsubscribe = eventNames.map((name) =>
    options.host.on(name, (payload) => {
      if (clients.size === 0) return;
      const frame = encodeFrame({ t: 'event', name, payload } satisfies ServerMessage);
      for (const client of clients.values()) client.pushEvent(frame);
    }),
  );

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    connections: () => [...clients.values()].filter((c) => !c.isDropped).length,
    async close() {
      for (const u of unsubscribe) u();
      for (const ws of clients.keys()) ws.terminate();
      wss.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // A browser's keep-alive connections would hold the close open: a stop is a stop.
      server.closeAllConnections();
      await closed;
    },
  };
}
