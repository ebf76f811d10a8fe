import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/api/engine.js';
import { startWebHost, type WebHost } from '../../src/api/http-server.js';
import { makeClip } from '../helpers/media.js';
import { tempDir } from '../helpers/tmp.js';

/** Raw HTTP so tests control every header (fetch would normalise Host and Origin). */
function raw(host: WebHost, o: { method?: string; path: string; headers?: Record<string, string>; body?: string }) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((ok, fail) => {
    const req = request({ host: '127.0.0.1', port: host.port, method: o.method ?? 'GET', path: o.path, headers: { host: `127.0.0.1:${host.port}`, ...o.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', fail);
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

describe('web host', () => {
  const dir = tempDir();
  let engine: Engine;
  let host: WebHost;
  const api = (op: string, body: unknown, headers: Record<string, string> = {}) =>
    raw(host, { method: 'POST', path: `/api/${op}`, headers: { 'content-type': 'application/json', authorization: `Bearer ${host.token}`, ...headers }, body: JSON.stringify(body) });
  const json = (r: { body: Buffer }) => JSON.parse(r.body.toString());

  beforeAll(async () => {
    engine = new Engine({ dbPath: join(dir, 'vigil.db'), transport: 'http' });
    host = await startWebHost({ engine, port: 0 });
  });
  afterAll(async () => {
    await engine.jobs.idle();
    await host.close();
    engine.close();
  });

  it('binds to loopback and prints a URL with a long random token', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48}$/);
    expect((host.server.address() as { address: string }).address).toBe('127.0.0.1');
  });

  it('refuses requests without the token, with a wrong token, or with a foreign Host or Origin', async () => {
    expect((await raw(host, { method: 'POST', path: '/api/cases.list', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(403);
    expect((await api('cases.list', {}, { authorization: 'Bearer nope' })).status).toBe(403);
    expect((await api('cases.list', {}, { host: `evil.example:${host.port}` })).status).toBe(403);
    expect((await api('cases.list', {}, { origin: 'http://evil.example' })).status).toBe(403);
    const ok = await api('cases.list', {}, { origin: `http://127.0.0.1:${host.port}` });
    expect(ok.status).toBe(200);
    expect(json(ok)).toEqual([]);
  });

  it('sets the session cookie only on a page load carrying the token, and sends a strict CSP', async () => {
    const r = await raw(host, { path: `/?token=${host.token}` });
    expect(String(r.headers['set-cookie'])).toMatch(/vigil_token=[0-9a-f]+; HttpOnly; SameSite=Strict/);
    expect(r.headers['content-security-policy']).toContain("script-src 'self'");
    expect(r.headers['content-security-policy']).not.toContain('unsafe');
  });

  it('validates inputs against the contract and changes nothing on refusal', async () => {
    const bad = [
      ['cases.create', { name: 42 }],
      ['cases.create', { name: '' }],
      ['cases.create', { name: 'x', extra: true }],
      ['cases.create', { name: 'x'.repeat(5000) }],
      ['cases.get', { caseId: '/etc/passwd' }],
      ['evidence.import', { caseId: 'case_aaaaaaaaaaaaaaaa', path: 5 }],
      ['no.such.op', {}],
    ] as const;
    for (const [op, body] of bad) {
      const r = await api(op, body);
      expect(r.status, `${op} ${JSON.stringify(body).slice(0, 60)}`).toBe(400);
      const e = json(r).error;
      expect(e.code).toBe('invalid_input');
      expect(e.message).not.toMatch(/\n\s+at /); // no stack traces
    }
    const notJson = await raw(host, { method: 'POST', path: '/api/cases.list', headers: { 'content-type': 'application/json', authorization: `Bearer ${host.token}` }, body: '{nope' });
    expect(notJson.status).toBe(400);
    expect(json(await api('cases.list', {}))).toEqual([]);
  });

  it('creates a case, imports a generated clip, and streams it with Range requests', async () => {
    const created = json(await api('cases.create', { name: 'Loading dock', examiner: 'A. Analyst' }));
    expect(created.name).toBe('Loading dock');
    const missing = await api('evidence.import', { caseId: created.id, path: join(dir, 'nope.mp4') });
    expect(missing.status).toBe(404);
    expect(json(missing).error.message).toContain('nope.mp4');

    const clip = await makeClip(dir, { name: 'dock cam "1".mp4', seconds: 2, fps: 10, width: 160, height: 120 });
    const { jobId } = json(await api('evidence.import', { caseId: created.id, path: clip }));
    await engine.jobs.idle();
    const job = json(await api('jobs.get', { jobId }));
    expect(job.state).toBe('done');
    const [ev] = json(await api('evidence.list', { caseId: created.id }));
    const bytes = readFileSync(clip);
    expect(ev.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(ev.fileName).toBe('dock cam "1".mp4');

    const noToken = await raw(host, { path: `/media/${ev.id}` });
    expect(noToken.status).toBe(403);
    const whole = await raw(host, { path: `/media/${ev.id}?token=${host.token}` });
    expect(whole.status).toBe(200);
    expect(Buffer.compare(whole.body, bytes)).toBe(0);
    const part = await raw(host, { path: `/media/${ev.id}?token=${host.token}`, headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-199/${bytes.length}`);
    expect(Buffer.compare(part.body, bytes.subarray(100, 200))).toBe(0);
    const tail = await raw(host, { path: `/media/${ev.id}?token=${host.token}`, headers: { range: 'bytes=-10' } });
    expect(Buffer.compare(tail.body, bytes.subarray(bytes.length - 10))).toBe(0);
    const beyond = await raw(host, { path: `/media/${ev.id}?token=${host.token}`, headers: { range: `bytes=${bytes.length}-` } });
    expect(beyond.status).toBe(416);

    // Media takes ids only: a path or an unknown id is refused.
    expect((await raw(host, { path: `/media/${encodeURIComponent(clip)}?token=${host.token}` })).status).toBe(400);
    expect((await raw(host, { path: `/media/ev_aaaaaaaaaaaaaaaa?token=${host.token}` })).status).toBe(404);

    const dup = await api('evidence.import', { caseId: created.id, path: clip });
    const { jobId: dupJob } = json(dup);
    await engine.jobs.idle();
    const dj = json(await api('jobs.get', { jobId: dupJob }));
    expect(dj.state).toBe('failed');
    expect(dj.error).toMatch(/already in this case/);
    expect(json(await api('evidence.list', { caseId: created.id })).length).toBe(1);
    expect(json(await api('audit.verify', {})).ok).toBe(true);
  });
});
