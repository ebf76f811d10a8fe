/**
 * Custom protocols instead of file://: `vigil://app/…` serves the built renderer with the CSP header,
 * `vigil-media://evidence/<id>` streams evidence (or its playback proxy) by opaque id with Range/206
 * support (net.fetch of file:// ignores Range, which breaks seeking).
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { Readable } from 'node:stream';
import { protocol } from 'electron';
import { contentSecurityPolicy, parseRange, toErrorBody, type Engine } from '@vigil/engine';
import { APP_SCHEME, MEDIA_SCHEME, PRINT_SCHEME, appUrlToRelativePath, mediaIdFromUrl, reportIdFromUrl } from './security.js';

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2' };

/** Must run before app 'ready'. */
export function registerSchemes(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
    { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, stream: true, supportFetchAPI: true } },
    { scheme: PRINT_SCHEME, privileges: { standard: true, secure: true } },
  ]);
}

export function handleProtocols(engine: Engine, rendererDir: string): void {
  const csp = contentSecurityPolicy(MEDIA_SCHEME);
  protocol.handle(APP_SCHEME, (req) => {
    const rel = appUrlToRelativePath(req.url);
    const file = rel ? join(rendererDir, rel) : null;
    if (!file || !existsSync(file) || statSync(file).isDirectory()) return new Response('Not found', { status: 404 });
    return new Response(readFileSync(file), { headers: { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-security-policy': csp, 'x-content-type-options': 'nosniff' } });
  });
  protocol.handle(MEDIA_SCHEME, (req) => {
    const reportId = reportIdFromUrl(req.url);
    if (reportId) {
      try {
        const { path } = engine.reportFile(reportId);
        return new Response(Readable.toWeb(createReadStream(path, { flags: 'r' })) as ReadableStream, { headers: { 'content-type': 'application/pdf' } });
      } catch (e) {
        const { status, body } = toErrorBody(e);
        return new Response(body.error.message, { status });
      }
    }
    const id = mediaIdFromUrl(req.url);
    if (!id) return new Response('Media requests take an evidence id.', { status: 400 });
    try {
      const { path, contentType } = engine.playbackFile(id);
      const size = statSync(path).size;
      const range = parseRange(req.headers.get('range'), size);
      if (range.kind === 'unsatisfiable') return new Response(null, { status: 416, headers: { 'content-range': `bytes */${size}` } });
      const [start, end] = range.kind === 'partial' ? [range.start, range.end] : [0, size - 1];
      const body = Readable.toWeb(createReadStream(path, { start, end, flags: 'r' })) as ReadableStream;
      return new Response(body, {
        status: range.kind === 'partial' ? 206 : 200,
        headers: { 'content-type': contentType, 'accept-ranges': 'bytes', 'content-length': String(end - start + 1), ...(range.kind === 'partial' ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}) },
      });
    } catch (e) {
      const { status, body } = toErrorBody(e);
      return new Response(body.error.message, { status });
    }
  });
}
