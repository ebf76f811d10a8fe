/**
 * Hostile API over HTTP: every operation of the contract fuzzed with inputs generated from its schema
 * (fuzz-cases.ts), plus the web host's own surface (token, Host/Origin, methods, bodies, operation
 * names, media and static routes). Everything is refused with a validation error, no stack trace
 * reaches the client, and the database is byte-for-byte the same afterwards. (The IPC transport gets
 * the same generated cases in apps/desktop/test/ipc-fuzz.test.ts.)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract } from '../../src/api/contract.js';
import { Engine } from '../../src/api/engine.js';
import { startWebHost, type WebHost } from '../../src/api/http-server.js';
import { tempDir } from '../helpers/tmp.js';
import { baseInput, fuzzCases, type FuzzWorld } from './fuzz-cases.js';
import { seedFuzzWorld } from './fuzz-world.js';
import { snapshot, storeProblems } from './invariants.js';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Raw HTTP so the test controls every header (fetch normalises Host and Origin). */
function raw(port: number, o: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<Raw> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, method: o.method ?? 'GET', path: o.path, headers: { host: `127.0.0.1:${port}`, ...o.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    // The server may answer (and close) before a large body is fully sent.
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : fail(e)));
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

const STATUS: Record<string, number> = { invalid_input: 400, not_found: 404, forbidden: 403 };

/** What is wrong with a refusal (null = a clean refusal with `code`): exact body shape, no internals. */
function refusalProblem(r: Raw, code: string): string | null {
  if (r.status !== STATUS[code]) return `status ${r.status}, expected ${STATUS[code]}: ${r.body.slice(0, 200)}`;
  let body: { error?: { code?: string; message?: string } };
  try {
    body = JSON.parse(r.body);
  } catch {
    return `body is not JSON: ${r.body.slice(0, 100)}`;
  }
  if (Object.keys(body).join() !== 'error' || !body.error) return `body keys ${Object.keys(body)}`;
  const extra = Object.keys(body.error).filter((k) => !['code', 'message', 'issues'].includes(k));
  if (extra.length) return `extra error keys ${extra}`;
  if (body.error.code !== code) return `code ${body.error.code}, expected ${code}: ${body.error.message}`;
  if (!body.error.message || body.error.message.length < 6) return 'no message';
  if (/\n\s+at |\bat [^\s]+ \(|node:internal|\/(src|dist)\/[\w/.-]+\.(ts|js)|Internal error/.test(r.body)) return `internals leaked: ${r.body.slice(0, 200)}`;
  // Refusals do not echo huge inputs back.
  if (r.body.length >= 20_000) return `body of ${r.body.length} characters`;
  return null;
}

function expectCleanRefusal(r: Raw, code: string, label: string) {
  expect(refusalProblem(r, code), label).toBeNull();
}

describe('hostile API over HTTP', () => {
  const dir = tempDir('vigil-fuzz-http-');
  let engine: Engine;
  let host: WebHost;
  let world: FuzzWorld;
  const internal: string[] = [];
  const counts: Record<string, number> = {};
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    raw(host.port, { method: 'POST', path, headers: { 'content-type': 'application/json', authorization: `Bearer ${host.token}`, ...headers }, body });

  beforeAll(async () => {
    engine = new Engine({ dbPath: join(dir, 'fuzz.db'), transport: 'http', log: (m) => internal.push(m) });
    world = await seedFuzzWorld(engine, dir);
    const renderer = join(dir, 'renderer');
    mkdirSync(join(renderer, 'assets'), { recursive: true });
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Vigil</title>');
    writeFileSync(join(dir, 'secret.txt'), 'outside the renderer');
    host = await startWebHost({ engine, port: 0, rendererDir: renderer, log: (m) => internal.push(m) });
  });

  afterAll(async () => {
    await host.close();
    engine.close();
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    console.log(`API fuzz over HTTP: ${total} requests refused (${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}) across ${Object.keys(contract).length} operations`);
  });

  it('refuses every generated hostile input with invalid_input or not_found and changes nothing', async () => {
    const cases = fuzzCases(contract, world).filter((c) => !c.ipcOnly);
    const before = snapshot(engine.db);
    const failures: string[] = [];
    for (const c of cases) {
      const problem = refusalProblem(await post(`/api/${c.op}`, JSON.stringify(c.input)), c.expect);
      if (problem) failures.push(`${c.op} ${c.why}: ${problem}`);
    }
    expect(failures).toEqual([]);
    expect(snapshot(engine.db)).toBe(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(internal).toEqual([]);
    counts['schema fuzz'] = cases.length;
    for (const op of Object.keys(contract)) expect(cases.some((c) => c.op === op), op).toBe(true);
  });

  it('refuses every operation without the token, with a wrong token, or from a foreign Host or Origin', async () => {
    const port = host.port;
    const t = host.token;
    const variants: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${'0'.repeat(t.length)}` },
      { authorization: `Bearer ${t}x` },
      { authorization: `Bearer ${t.slice(0, -1)}` },
      { authorization: `bearer ${t}` },
      { authorization: t },
      { 'x-vigil-token': t },
      { cookie: `vigil_token=${t.toUpperCase()}` },
      { authorization: `Bearer ${t}`, host: `evil.example:${port}` },
      { authorization: `Bearer ${t}`, host: `127.0.0.1.evil.example:${port}` },
      { authorization: `Bearer ${t}`, host: '127.0.0.1' },
      { authorization: `Bearer ${t}`, host: `127.0.0.1:${port + 1}` },
      { authorization: `Bearer ${t}`, host: `0.0.0.0:${port}` },
      { authorization: `Bearer ${t}`, origin: 'http://evil.example' },
      { authorization: `Bearer ${t}`, origin: 'null' },
      { authorization: `Bearer ${t}`, origin: `https://127.0.0.1:${port}` },
      { authorization: `Bearer ${t}`, origin: `http://127.0.0.1:${port}.evil.example` },
      { authorization: `Bearer ${t}`, origin: `http://localhost:${port + 1}` },
    ];
    const before = snapshot(engine.db);
    let n = 0;
    for (const op of Object.keys(contract) as (keyof typeof contract)[]) {
      const body = JSON.stringify(baseInput(contract[op].input, world)); // valid input: only the gate refuses it
      for (const v of variants) {
        const headers: Record<string, string> = { 'content-type': 'application/json', ...v };
        expectCleanRefusal(await raw(port, { method: 'POST', path: `/api/${op}`, headers, body }), 'forbidden', `${op} ${JSON.stringify(v).replace(t, '<token>')}`);
        n++;
      }
      // The token in the query string of an API call must be the right one too.
      expectCleanRefusal(await raw(port, { method: 'POST', path: `/api/${op}?token=${t.slice(1)}`, headers: { 'content-type': 'application/json' }, body }), 'forbidden', `${op} wrong ?token`);
      n++;
    }
    expect(snapshot(engine.db)).toBe(before);
    counts['auth gate'] = n;
  });

  it('refuses malformed requests: methods, content types, bodies and operation names', async () => {
    const before = snapshot(engine.db);
    const auth = { authorization: `Bearer ${host.token}` };
    const cases: { label: string; req: Parameters<typeof raw>[1]; code: string }[] = [
      { label: 'GET an operation', req: { path: '/api/cases.list', headers: auth }, code: 'invalid_input' },
      { label: 'PUT an operation', req: { method: 'PUT', path: '/api/cases.create', headers: { ...auth, 'content-type': 'application/json' }, body: '{"name":"x"}' }, code: 'invalid_input' },
      { label: 'DELETE an operation', req: { method: 'DELETE', path: '/api/cases.get', headers: auth }, code: 'invalid_input' },
      { label: 'text/plain body (CSRF-style simple request)', req: { method: 'POST', path: '/api/cases.create', headers: { ...auth, 'content-type': 'text/plain' }, body: '{"name":"x"}' }, code: 'invalid_input' },
      { label: 'form body', req: { method: 'POST', path: '/api/cases.create', headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=x' }, code: 'invalid_input' },
      { label: 'no content type', req: { method: 'POST', path: '/api/cases.create', headers: auth, body: '{"name":"x"}' }, code: 'invalid_input' },
      { label: 'truncated JSON', req: { method: 'POST', path: '/api/cases.create', headers: { ...auth, 'content-type': 'application/json' }, body: '{"name":"x"' }, code: 'invalid_input' },
      { label: 'JSON with a BOM', req: { method: 'POST', path: '/api/cases.create', headers: { ...auth, 'content-type': 'application/json' }, body: '\ufeff{"name":"x"}' }, code: 'invalid_input' },
      { label: 'invalid UTF-8 bytes', req: { method: 'POST', path: '/api/cases.create', headers: { ...auth, 'content-type': 'application/json' }, body: Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) }, code: 'invalid_input' },
      { label: 'body over 1 MiB', req: { method: 'POST', path: '/api/cases.create', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x'.repeat(1_200_000) }) }, code: 'invalid_input' },
      { label: '400 000 nested arrays', req: { method: 'POST', path: '/api/cases.create', headers: { ...auth, 'content-type': 'application/json' }, body: '['.repeat(400_000) + ']'.repeat(400_000) }, code: 'invalid_input' },
      { label: '100 000 nested objects', req: { method: 'POST', path: '/api/cases.create', headers: { ...auth, 'content-type': 'application/json' }, body: '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000) }, code: 'invalid_input' },
    ];
    for (const op of ['', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '..%2F..%2Fetc%2Fpasswd', 'cases.list%00', 'CASES.LIST', 'cases.list/extra', 'cases.list%20', '%ff', '%E0%A4%A', 'x'.repeat(5000)]) {
      cases.push({ label: `operation name ${JSON.stringify(op.slice(0, 40))}`, req: { method: 'POST', path: `/api/${op}`, headers: { ...auth, 'content-type': 'application/json' }, body: '{}' }, code: 'invalid_input' });
    }
    for (const c of cases) expectCleanRefusal(await raw(host.port, c.req), c.code, c.label);
    expect(snapshot(engine.db)).toBe(before);
    expect(internal).toEqual([]);
    counts['malformed requests'] = cases.length;
  });

  it('serves media by evidence id only, never by path', async () => {
    const q = `?token=${host.token}`;
    const refused: [string, string][] = [
      [`/media/${encodeURIComponent(world.paths.existingFile)}${q}`, 'invalid_input'],
      [`/media/${encodeURIComponent(world.paths.database)}${q}`, 'invalid_input'],
      [`/media/..%2F..%2F..%2Fetc%2Fpasswd${q}`, 'invalid_input'],
      [`/media/%2e%2e%2fsecret.txt${q}`, 'invalid_input'],
      [`/media/${world.own.case}${q}`, 'invalid_input'],
      [`/media/${world.own.an}${q}`, 'invalid_input'],
      [`/media/${world.own.ev.toUpperCase()}${q}`, 'invalid_input'],
      [`/media/${world.own.ev}%00.mp4${q}`, 'invalid_input'],
      [`/media/${world.own.ev}%2F..%2F..%2Fsecret.txt${q}`, 'invalid_input'],
      [`/media/%ff${q}`, 'invalid_input'],
      [`/media/ev_aaaaaaaaaaaaaaaa${q}`, 'not_found'],
      [`/media/${world.own.ev}`, 'forbidden'],
      [`/media/${world.own.ev}?token=${host.token.slice(2)}`, 'forbidden'],
    ];
    for (const [path, code] of refused) expectCleanRefusal(await raw(host.port, { path }), code, path);
    expectCleanRefusal(await raw(host.port, { method: 'POST', path: `/media/${world.own.ev}${q}` }), 'invalid_input', 'POST media');
    const ok = await raw(host.port, { path: `/media/${world.own.ev}${q}`, headers: { range: 'bytes=0-3' } });
    expect(ok.status).toBe(206);
    counts['media route'] = refused.length + 1;
  });

  it('never serves files outside the renderer folder', async () => {
    const q = `?token=${host.token}`;
    const paths = ['/..%2Fsecret.txt', '/assets/..%2F..%2Fsecret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e%2f%2e%2e%2fsecret.txt', '/..\\secret.txt', '/%ff', `/${encodeURIComponent(join(dir, 'secret.txt'))}`, '/assets'];
    for (const p of paths) expectCleanRefusal(await raw(host.port, { path: `${p}${q}` }), p === '/%ff' ? 'invalid_input' : 'not_found', p);
    expect((await raw(host.port, { path: `/${q}` })).status).toBe(200);
    counts['static route'] = paths.length;
    expect(internal).toEqual([]);
    expect(storeProblems(engine.db, engine.workDir)).toEqual([]);
  });
});
