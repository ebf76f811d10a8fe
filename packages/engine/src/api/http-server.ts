/**
 * The web host: the engine's contract over HTTP on loopback, plus the built renderer and media.
 * Every request needs the per-launch secret (bearer header, `?token=` on the first page load and on
 * media URLs, or the HttpOnly cookie set by that first load). Host and Origin must be loopback so a
 * web page elsewhere cannot reach it through DNS rebinding.
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { VigilError } from '../errors.js';
import type { ApiEvent } from './contract.js';
import { contentSecurityPolicy } from './csp.js';
import { toErrorBody, type Engine } from './engine.js';
import { DEFAULT_REPLAY_CAPACITY, EventReplayLog, type NumberedEvent } from './event-replay.js';
import { parseRange } from './range.js';

export interface WebHostOptions {
  engine: Engine;
  port?: number;
  /** Folder of the built renderer (index.html + assets); omitted → API only. */
  rendererDir?: string | null;
  token?: string;
  log?: (m: string) => void;
  /** Events kept for clients that reconnect to /api/events (default 500). */
  replayCapacity?: number;
}

export interface WebHost {
  url: string;
  port: number;
  token: string;
  server: Server;
  close(): Promise<void>;
}

const COOKIE = 'vigil_token';
const MAX_BODY = 1 << 20;
const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.json': 'application/json', '.ico': 'image/x-icon',
};

export async function startWebHost(o: WebHostOptions): Promise<WebHost> {
  const token = o.token ?? randomBytes(24).toString('hex');
  const tokenBuf = Buffer.from(token);
  let port = 0;
  const rendererDir = o.rendererDir && existsSync(join(o.rendererDir, 'index.html')) ? resolve(o.rendererDir) : null;
  // Numbered from the start, connected or not: a client that drops gets what it missed on reconnect.
  const replay = new EventReplayLog(o.replayCapacity ?? DEFAULT_REPLAY_CAPACITY);
  const streams = new Set<(e: NumberedEvent) => void>();
  const offEngine = o.engine.on((e) => {
    const numbered = replay.push(e);
    for (const send of streams) send(numbered);
  });

  const tokenOk = (candidate: string | null | undefined) => {
    if (!candidate) return false;
    const b = Buffer.from(candidate);
    return b.length === tokenBuf.length && timingSafeEqual(b, tokenBuf);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      // VigilErrors are answers (validation, not found, ...); anything else is logged here, never sent.
      if (!(e instanceof VigilError)) o.log?.(`web host error: ${(e as Error)?.stack ?? e}`);
      if (!res.headersSent) sendError(res, e);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    securityHeaders(res);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const host = req.headers.host ?? '';
    const loopbackHosts = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
    if (!loopbackHosts.includes(host)) return sendError(res, new VigilError('forbidden', 'Requests must address the web host by its loopback name.'));
    const origin = req.headers.origin;
    if (origin !== undefined && !loopbackHosts.map((h) => `http://${h}`).includes(origin)) {
      return sendError(res, new VigilError('forbidden', 'Cross-origin requests are refused.'));
    }

    const queryToken = url.searchParams.get('token');
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const cookie = parseCookies(req.headers.cookie)[COOKIE];
    const isPage = req.method === 'GET' && (url.pathname === '/' || url.pathname === '/index.html');
    if (!(tokenOk(bearer) || tokenOk(cookie) || tokenOk(queryToken))) {
      return sendError(res, new VigilError('forbidden', 'Missing or wrong access token. Open the address printed by `vigil serve`.'));
    }
    if (isPage && tokenOk(queryToken)) {
      res.setHeader('set-cookie', `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    }

    if (url.pathname.startsWith('/api/')) {
      if (url.pathname === '/api/events' && req.method === 'GET') return events(req, res);
      if (req.method !== 'POST') return sendError(res, new VigilError('invalid_input', 'API operations are called with POST.'));
      if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return sendError(res, new VigilError('invalid_input', 'API requests must be JSON (content-type: application/json).'));
      const op = decodePath(url.pathname.slice('/api/'.length));
      const input = await readJson(req);
      const value = await o.engine.call(op, input);
      return sendJson(res, 200, value);
    }
    if (url.pathname.startsWith('/reports/') && req.method === 'GET') {
      const { path, fileName } = o.engine.reportFile(decodeURIComponent(url.pathname.slice('/reports/'.length)));
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-disposition': `inline; filename="${fileName.replace(/[^\w.-]/g, '_')}"`, 'cache-control': 'no-store' });
      return void createReadStream(path, { flags: 'r' }).on('error', () => res.destroy()).pipe(res);
    }
    if (url.pathname.startsWith('/media/')) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, new VigilError('invalid_input', 'Media is read with GET.'));
      return media(req, res, decodePath(url.pathname.slice('/media/'.length)));
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, new VigilError('invalid_input', 'Method not allowed.'));
    return serveStatic(res, url.pathname);
  }

  /**
   * The event stream. Every event carries its id; a reconnecting EventSource sends the last one it saw as
   * `Last-Event-ID` and gets what it missed, in order, before live events (replay and subscription happen
   * in one synchronous step, so nothing falls between them). When that cannot be replayed the client gets
   * one `resync` event. A fresh connection gets the current id (an id-only block, which dispatches no
   * event) so that even a client that has seen no event yet can resume from here.
   */
  function events(req: IncomingMessage, res: ServerResponse) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    const send = (n: NumberedEvent) => res.write(`id: ${n.id}\ndata: ${JSON.stringify(n.event)}\n\n`);
    const lastEventId = req.headers['last-event-id'];
    // Something is written at once in every case: Node sends the headers with the first bytes, and the
    // client counts as connected only then.
    if (typeof lastEventId !== 'string' || lastEventId === '') {
      res.write(`: connected\nid: ${replay.lastId()}\n\n`);
    } else {
      res.write(': connected\n\n');
      const missed = replay.since(lastEventId);
      if (missed) for (const n of missed) send(n);
      else {
        const resync: ApiEvent = { type: 'resync', reason: 'Some updates since the last connection are no longer available.' };
        res.write(`id: ${replay.lastId()}\ndata: ${JSON.stringify(resync)}\n\n`);
      }
    }
    streams.add(send);
    const ping = setInterval(() => res.write(': ping\n\n'), 15000);
    req.on('close', () => {
      streams.delete(send);
      clearInterval(ping);
    });
  }

  function media(req: IncomingMessage, res: ServerResponse, evidenceId: string) {
    const { path, contentType } = o.engine.playbackFile(evidenceId);
    const size = statSync(path).size;
    const range = parseRange(req.headers.range, size);
    const base = { 'content-type': contentType, 'accept-ranges': 'bytes', 'cache-control': 'no-store' };
    if (range.kind === 'unsatisfiable') {
      res.writeHead(416, { ...base, 'content-range': `bytes */${size}` });
      return res.end();
    }
    const [start, end] = range.kind === 'partial' ? [range.start, range.end] : [0, size - 1];
    res.writeHead(range.kind === 'partial' ? 206 : 200, {
      ...base,
      'content-length': String(end - start + 1),
      ...(range.kind === 'partial' ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
    });
    if (req.method === 'HEAD') return res.end();
    // flags 'r': evidence originals are only ever opened for reading.
    createReadStream(path, { start, end, flags: 'r' }).on('error', () => res.destroy()).pipe(res);
  }

  function serveStatic(res: ServerResponse, pathname: string) {
    if (!rendererDir) return sendError(res, new VigilError('not_found', 'This web host serves the API only (no renderer build found). Run `npm run build`.'));
    const rel = pathname === '/' ? 'index.html' : decodePath(pathname).replace(/^\/+/, '');
    const file = normalize(join(rendererDir, rel));
    if (!file.startsWith(rendererDir + sep) || !existsSync(file) || statSync(file).isDirectory()) {
      return sendError(res, new VigilError('not_found', 'Not found.'));
    }
    res.writeHead(200, { 'content-type': STATIC_TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  }

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(o.port ?? 0, '127.0.0.1', () => ok());
  });
  port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    server,
    close: () =>
      new Promise<void>((ok) => {
        offEngine();
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

function securityHeaders(res: ServerResponse) {
  res.setHeader('content-security-policy', contentSecurityPolicy());
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('cross-origin-opener-policy', 'same-origin');
  res.setHeader('cross-origin-resource-policy', 'same-origin');
}

function sendJson(res: ServerResponse, status: number, value: unknown) {
  const body = JSON.stringify(value ?? null);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

function sendError(res: ServerResponse, e: unknown) {
  const { status, body } = toErrorBody(e);
  // A request refused before its body was read (too large, no token) must not leave body bytes on a
  // kept-alive connection: the next request on it would never be parsed.
  if (!res.req.complete) res.setHeader('connection', 'close');
  sendJson(res, status, body);
}

/** Percent-decoding that refuses malformed sequences (`%ff`) as bad input instead of throwing URIError. */
function decodePath(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new VigilError('invalid_input', 'The request address is not valid percent-encoded UTF-8.');
  }
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new VigilError('invalid_input', `Request body larger than ${MAX_BODY} bytes.`);
    chunks.push(c as Buffer);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new VigilError('invalid_input', 'Request body is not valid JSON.');
  }
}
