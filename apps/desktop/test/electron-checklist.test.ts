/**
 * Electron's security checklist, item by item (docs/security.md), for what can run without the Electron
 * binary: the preload and the protocol handlers are loaded against a stand-in `electron` module and
 * driven as plain functions; the CSP is parsed and compared; the main process is checked for the calls
 * the checklist requires and the APIs it forbids. (Web preferences, navigation decisions, permissions
 * and IPC sender checks are in security.test.ts and ipc-fuzz.test.ts.)
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

/** What the stand-in electron module recorded. */
const recorded = vi.hoisted(() => ({
  exposed: [] as [string, Record<string, unknown>][],
  invokes: [] as unknown[][],
  listeners: new Map<string, ((...a: unknown[]) => void)[]>(),
  privileged: [] as { scheme: string; privileges: Record<string, boolean> }[],
  handlers: new Map<string, (req: Request) => Response | Promise<Response>>(),
}));

const electronStandIn = vi.hoisted(() => ({}) as Record<string, unknown>);

vi.mock('electron', () => Object.assign(electronStandIn, {
  contextBridge: { exposeInMainWorld: (key: string, api: Record<string, unknown>) => recorded.exposed.push([key, api]) },
  ipcRenderer: {
    invoke: (...a: unknown[]) => {
      recorded.invokes.push(a);
      return Promise.resolve('answer');
    },
    on: (ch: string, fn: (...a: unknown[]) => void) => recorded.listeners.set(ch, [...(recorded.listeners.get(ch) ?? []), fn]),
    removeListener: (ch: string, fn: (...a: unknown[]) => void) => recorded.listeners.set(ch, (recorded.listeners.get(ch) ?? []).filter((f) => f !== fn)),
    send: () => {
      throw new Error('the preload must not use send');
    },
  },
  webUtils: { getPathForFile: (f: { path?: string }) => f.path ?? '' },
  protocol: {
    registerSchemesAsPrivileged: (list: { scheme: string; privileges: Record<string, boolean> }[]) => recorded.privileged.push(...list),
    handle: (scheme: string, fn: (req: Request) => Response | Promise<Response>) => recorded.handlers.set(scheme, fn),
  },
}));

import { contentSecurityPolicy, Engine } from '@vigil/engine';
import { handleProtocols, registerSchemes } from '../src/main/protocols.js';
import { APP_SCHEME, MEDIA_SCHEME, PRINT_SCHEME, isTrustedSender, mediaIdFromUrl, secureWebPreferences } from '../src/main/security.js';
import { makeClip } from '../../../packages/engine/test/helpers/media.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../src/main/', import.meta.url));
const mainSource = readFileSync(join(MAIN, 'main.ts'), 'utf8');
const PRELOAD = fileURLToPath(new URL('../src/preload/preload.cts', import.meta.url));
/** Desktop main and preload sources without comments (which may name what the code avoids). */
const desktopSources = [...readdirSync(MAIN).map((f) => join(MAIN, f)), PRELOAD].map((f) => readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, ''));

/** CSP text → directive → sources. */
function parseCsp(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
    const [name, ...sources] = d.split(/\s+/);
    return [name, sources] as [string, string[]];
  }));
}

const req = (url: string, headers: Record<string, string> = {}) => ({ url, headers: new Headers(headers), method: 'GET' }) as unknown as Request;

describe('Electron security checklist (without the binary)', () => {
  it('#2 #3 #4 #6 #8 #9 #10 #11: web preferences leave no checklist switch open', () => {
    const p = secureWebPreferences('/app/preload.cjs');
    expect(p).toMatchObject({ nodeIntegration: false, nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false, contextIsolation: true, sandbox: true, webSecurity: true, allowRunningInsecureContent: false, experimentalFeatures: false, webviewTag: false, navigateOnDragDrop: false });
    for (const k of ['enableBlinkFeatures', 'disableBlinkFeatures', 'additionalArguments', 'allowpopups', 'devTools']) expect(p, k).not.toHaveProperty(k);
    // Sandboxing for every renderer, and both permission handlers wired to the deny-all decision.
    expect(mainSource).toMatch(/app\.enableSandbox\(\)/);
    expect(mainSource).toContain('setPermissionRequestHandler((_wc, permission, callback) => callback(permissionDecision(permission)))');
    expect(mainSource).toContain('setPermissionCheckHandler((_wc, permission) => permissionDecision(permission))');
    expect(mainSource).toMatch(/webPreferences: secureWebPreferences\(/);
  });

  it('#7: the CSP has no unsafe-inline/eval, no remote origins, and the page meta policy is no looser than the header', () => {
    const header = parseCsp(contentSecurityPolicy(MEDIA_SCHEME));
    const all = [...header.values()].flat();
    expect(all.filter((s) => /unsafe|^\*$|^https?:$|^wss?:$|^http|^\/\//.test(s))).toEqual([]);
    expect(header.get('default-src')).toEqual(["'self'"]);
    expect(header.get('script-src')).toEqual(["'self'"]);
    expect(header.get('object-src')).toEqual(["'none'"]);
    expect(header.get('base-uri')).toEqual(["'none'"]);
    expect(header.get('frame-ancestors')).toEqual(["'none'"]);
    expect(header.get('connect-src')).toEqual(["'self'"]);
    for (const page of [join(ROOT, 'apps/desktop/index.html'), join(ROOT, 'apps/desktop/dist/renderer/index.html')]) {
      let html: string;
      try {
        html = readFileSync(page, 'utf8');
      } catch {
        continue; // the built page exists only after `npm run build`
      }
      const meta = parseCsp(/http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)![1]);
      for (const [directive, sources] of meta) {
        const allowed = header.get(directive) ?? header.get('default-src')!;
        expect(sources.filter((s) => !allowed.includes(s)), `${page} ${directive}`).toEqual([]);
      }
      // No inline script: every <script> loads a file.
      expect([...html.matchAll(/<script\b[^>]*>/g)].filter((m) => !/\bsrc=/.test(m[0])), page).toEqual([]);
      expect(html, page).not.toMatch(/\son[a-z]+=/i); // no inline event handlers
    }
  });

  it('#13 #14: navigation, redirects, new windows and webviews are refused for every web contents', () => {
    // The behaviour of hardenWebContents is exercised in security.test.ts; here: it is applied to every web contents.
    expect(mainSource).toMatch(/app\.on\('web-contents-created', \(_e, contents\) => hardenWebContents\(/);
  });

  it('#1 #15 #18: only the app protocol is loaded; no shell.openExternal, no file:// pages, no remote URLs', () => {
    expect(mainSource).toMatch(/win\.loadURL\(`\$\{APP_ORIGIN\}\/index\.html`\)/);
    for (const s of desktopSources) {
      expect(s).not.toMatch(/openExternal|\bshell\b.*from 'electron'|loadFile\(|file:\/\/|https?:\/\/(?!127\.0\.0\.1)/);
    }
  });

  it('#16: a supported Electron major', () => {
    const electron = JSON.parse(readFileSync(join(ROOT, 'node_modules/electron/package.json'), 'utf8')) as { version: string };
    expect(Number(electron.version.split('.')[0])).toBeGreaterThanOrEqual(45);
  });

  describe('#20: the preload exposes one small API and no Electron object', () => {
    beforeAll(() => {
      // The preload is CommonJS for Electron's sandbox: compile it and run it against the stand-in module.
      const js = ts.transpileModule(readFileSync(PRELOAD, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
      const module = { exports: {} };
      new Function('require', 'module', 'exports', js)((name: string) => {
        if (name !== 'electron') throw new Error(`the preload may only require electron, not ${name}`);
        return electronStandIn;
      }, module, module.exports);
    });

    it('exposes exactly one global of plain functions', () => {
      expect(recorded.exposed.map(([k]) => k)).toEqual(['vigil']);
      const api = recorded.exposed[0][1];
      expect(Object.keys(api).sort()).toEqual(['chooseAndImport', 'importDropped', 'invoke', 'mediaUrl', 'onEvent', 'reportUrl']);
      for (const v of Object.values(api)) expect(typeof v).toBe('function');
    });

    it('desktop import sends paths resolved in the preload to main, never to the page', async () => {
      const api = recorded.exposed[0][1] as { importDropped: (c: unknown, f: unknown[]) => Promise<unknown>; chooseAndImport: (c: unknown) => Promise<unknown> };
      recorded.invokes.length = 0;
      await api.importDropped('case_x', [{ path: '/footage/a.mp4' }, { path: '' }]);
      await api.chooseAndImport({ toString: () => 'case_y' });
      expect(recorded.invokes).toEqual([
        ['vigil:import-paths', 'case_x', ['/footage/a.mp4']],
        ['vigil:choose-import', 'case_y'],
      ]);
    });

    it('invoke goes to the one contract channel with a string operation name', async () => {
      const api = recorded.exposed[0][1] as { invoke: (op: unknown, input: unknown) => Promise<unknown> };
      recorded.invokes.length = 0;
      await api.invoke({ toString: () => 'cases.list' }, { a: 1 });
      expect(recorded.invokes).toEqual([['vigil:invoke', 'cases.list', { a: 1 }]]);
    });

    it('event listeners get the payload, never the IPC event (which carries the sender)', () => {
      const api = recorded.exposed[0][1] as { onEvent: (fn: (e: unknown) => void) => () => void };
      const got: unknown[] = [];
      const off = api.onEvent((e) => got.push(e));
      const [fn] = recorded.listeners.get('vigil:event')!;
      fn({ sender: { send: () => {} }, ports: [] }, { type: 'changed', caseId: null, what: 'cases' });
      expect(got).toEqual([{ type: 'changed', caseId: null, what: 'cases' }]);
      off();
      expect(recorded.listeners.get('vigil:event')).toEqual([]);
    });

    it('media URLs carry ids only: a path handed to mediaUrl does not come back out as an id', () => {
      const api = recorded.exposed[0][1] as { mediaUrl: (id: string) => string };
      expect(mediaIdFromUrl(api.mediaUrl('ev_abcdefghijklmnop'))).toBe('ev_abcdefghijklmnop');
      for (const bad of ['../../etc/passwd', '/etc/passwd', 'ev_abcdefghijklmnop/../../x', 'ev_abcdefghijklmnop?x=1']) expect(mediaIdFromUrl(api.mediaUrl(bad)), bad).toBeNull();
    });
  });

  describe('#18: custom protocols instead of file://', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-protocols-'));
    const engine = new Engine({ dbPath: join(dir, 'v.db'), transport: 'ipc' });
    const renderer = join(dir, 'renderer');
    let evidenceId = '';
    let clipBytes: Buffer;

    beforeAll(async () => {
      mkdirSync(join(renderer, 'assets'), { recursive: true });
      writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Vigil</title>');
      writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)');
      writeFileSync(join(dir, 'secret.txt'), 'not for the renderer');
      registerSchemes();
      handleProtocols(engine, renderer);
      const c = (await engine.call('cases.create', { name: 'Protocols' })) as { id: string };
      const clip = await makeClip(dir, { name: 'clip.mp4', seconds: 1, fps: 10, width: 64, height: 48 });
      clipBytes = readFileSync(clip);
      const { jobId } = (await engine.call('evidence.import', { caseId: c.id, path: clip })) as { jobId: string };
      await engine.jobs.idle();
      evidenceId = ((await engine.call('jobs.get', { jobId })) as { targetId: string }).targetId;
    });

    afterAll(() => {
      engine.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('registers the app, media and print schemes as standard and secure, without bypassing CSP', () => {
      const byScheme = new Map(recorded.privileged.map((p) => [p.scheme, p.privileges]));
      expect([...byScheme.keys()].sort()).toEqual([APP_SCHEME, MEDIA_SCHEME, PRINT_SCHEME].sort());
      for (const p of byScheme.values()) {
        expect(p).toMatchObject({ standard: true, secure: true });
        expect(p.bypassCSP ?? false).toBe(false);
        expect(p.allowServiceWorkers ?? false).toBe(false);
      }
    });

    it('serves renderer files with the CSP header and nothing outside the renderer folder', async () => {
      const app = recorded.handlers.get(APP_SCHEME)!;
      const ok = await app(req('vigil://app/assets/app.js'));
      expect(ok.status).toBe(200);
      expect(ok.headers.get('content-security-policy')).toBe(contentSecurityPolicy(MEDIA_SCHEME));
      expect(ok.headers.get('x-content-type-options')).toBe('nosniff');
      for (const u of ['vigil://app/..%2Fsecret.txt', 'vigil://app/assets/..%2F..%2Fsecret.txt', 'vigil://app/%2e%2e/secret.txt', 'vigil://other/index.html', 'vigil://app/assets', 'vigil://app/%ff']) {
        expect((await app(req(u))).status, u).toBe(404);
      }
    });

    it('streams evidence by id with ranges, and refuses paths and unknown ids', async () => {
      const media = recorded.handlers.get(MEDIA_SCHEME)!;
      const part = await media(req(`vigil-media://evidence/${evidenceId}`, { range: 'bytes=10-19' }));
      expect(part.status).toBe(206);
      expect(Buffer.from(await part.arrayBuffer()).equals(clipBytes.subarray(10, 20))).toBe(true);
      expect((await media(req(`vigil-media://evidence/${encodeURIComponent(join(dir, 'secret.txt'))}`))).status).toBe(400);
      expect((await media(req('vigil-media://evidence/..%2F..%2Fsecret.txt'))).status).toBe(400);
      expect((await media(req('vigil-media://evidence/ev_aaaaaaaaaaaaaaaa'))).status).toBe(404);
      const text = await (await media(req('vigil-media://evidence/ev_aaaaaaaaaaaaaaaa'))).text();
      expect(text).not.toMatch(/\n\s+at |node:internal/);
    });

    it('#17: IPC is answered only for the app frame', () => {
      expect(isTrustedSender('vigil://app/index.html')).toBe(true);
      expect(isTrustedSender(`vigil-media://evidence/${evidenceId}`)).toBe(false);
    });
  });
});
