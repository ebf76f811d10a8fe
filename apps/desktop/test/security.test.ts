import { join } from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '@vigil/engine';
import { importPaths } from '../src/main/desktop-import.js';
import { invokeForSender } from '../src/main/invoke.js';
import { appUrlToRelativePath, hardenWebContents, isAppUrl, isTrustedSender, mediaIdFromUrl, permissionDecision, reportIdFromUrl, secureWebPreferences } from '../src/main/security.js';

describe('Electron security policy (testable without the binary)', () => {
  it('locks down web preferences', () => {
    const p = secureWebPreferences('/x/preload.cjs');
    expect(p).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, allowRunningInsecureContent: false, webviewTag: false, nodeIntegrationInSubFrames: false });
  });

  it('allows navigation only to the app origin', () => {
    expect(isAppUrl('vigil://app/index.html')).toBe(true);
    for (const u of ['https://example.com', 'file:///etc/passwd', 'vigil://other/index.html', 'vigil-media://evidence/ev_aaaaaaaaaaaaaaaa', 'javascript:alert(1)', 'not a url']) expect(isAppUrl(u), u).toBe(false);
  });

  it('hardens every web contents: no new windows, no navigation or redirect away from the app, no webview', () => {
    const listeners = new Map<string, (e: { preventDefault(): void }, url?: string) => void>();
    let openHandler: ((d: { url: string }) => { action: string }) | null = null;
    hardenWebContents({ setWindowOpenHandler: (h) => (openHandler = h), on: (ev, l) => listeners.set(ev, l) });
    expect(openHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    const attempt = (ev: string, url?: string) => {
      let prevented = false;
      listeners.get(ev)!({ preventDefault: () => (prevented = true) }, url);
      return prevented;
    };
    expect(attempt('will-navigate', 'https://example.com/')).toBe(true);
    expect(attempt('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(attempt('will-redirect', 'http://127.0.0.1:1234/')).toBe(true);
    expect(attempt('will-navigate', 'vigil://app/index.html')).toBe(false);
    expect(attempt('will-attach-webview')).toBe(true);
  });

  it('denies every permission', () => {
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen']) expect(permissionDecision(p)).toBe(false);
  });

  it('maps media URLs to evidence ids only', () => {
    expect(mediaIdFromUrl('vigil-media://evidence/ev_abcdefghijklmnop')).toBe('ev_abcdefghijklmnop');
    for (const u of ['vigil-media://evidence/..%2F..%2Fetc%2Fpasswd', 'vigil-media://evidence//etc/passwd', 'vigil-media://file/ev_abcdefghijklmnop', 'vigil://app/ev_abcdefghijklmnop']) expect(mediaIdFromUrl(u), u).toBeNull();
  });

  it('maps report URLs to report ids only', () => {
    expect(reportIdFromUrl('vigil-media://report/rep_abcdefghijklmnop')).toBe('rep_abcdefghijklmnop');
    for (const u of ['vigil-media://report/..%2Fsecret.pdf', 'vigil-media://evidence/rep_abcdefghijklmnop', 'vigil-media://report/%2Ftmp%2Fx.pdf']) expect(reportIdFromUrl(u), u).toBeNull();
  });

  it('refuses path traversal on the app protocol', () => {
    expect(appUrlToRelativePath('vigil://app/assets/index.js')).toBe('assets/index.js');
    expect(appUrlToRelativePath('vigil://app/')).toBe('index.html');
    // The URL parser collapses dot segments at the root; encoded slashes must not smuggle them back.
    expect(appUrlToRelativePath('vigil://app/assets/%2e%2e/%2e%2e/secret')).toBe('secret');
    expect(appUrlToRelativePath('vigil://app/assets/..%2F..%2F..%2Fetc%2Fpasswd')).toBeNull();
    expect(appUrlToRelativePath('https://app/index.html')).toBeNull();
  });

  describe('IPC handler', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-ipc-'));
    const engine = new Engine({ dbPath: join(dir, 'v.db'), transport: 'ipc' });
    afterAll(() => {
      engine.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('answers trusted frames through the contract', async () => {
      const r = await invokeForSender(engine, 'vigil://app/index.html', 'cases.create', { name: 'IPC case' });
      expect(r.ok).toBe(true);
      expect(isTrustedSender('vigil://app/index.html')).toBe(true);
    });

    it('refuses untrusted frames, bad op names and invalid input without stack traces', async () => {
      const untrusted = await invokeForSender(engine, 'https://evil.example/', 'cases.list', {});
      expect(untrusted).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      const noFrame = await invokeForSender(engine, undefined, 'cases.list', {});
      expect(noFrame.ok).toBe(false);
      const badOp = await invokeForSender(engine, 'vigil://app/index.html', { toString: () => 'cases.list' }, {});
      expect(badOp).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
      const bad = await invokeForSender(engine, 'vigil://app/index.html', 'cases.create', { name: 'x', path: '/etc/passwd' });
      expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
      expect(JSON.stringify(bad)).not.toMatch(/\bat .*\.js:\d+/);
      const list = await invokeForSender(engine, 'vigil://app/index.html', 'cases.list', {});
      expect(list.ok && (list.value as unknown[]).length).toBe(1);
    });
  });
});

describe('desktop import (dialog and drag-and-drop)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-dnd-'));
  const engine = new Engine({ dbPath: join(dir, 'v.db'), transport: 'ipc' });
  afterAll(() => {
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports dropped paths through the contract for trusted frames only, returning job ids', async () => {
    const c = (await engine.call('cases.create', { name: 'dnd' })) as { id: string };
    const untrusted = await importPaths(engine, 'https://evil.example/', c.id, ['/etc/passwd']);
    expect(untrusted).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const empty = await importPaths(engine, 'vigil://app/index.html', c.id, []);
    expect(empty).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const notStrings = await importPaths(engine, 'vigil://app/index.html', c.id, [{ path: '/x' }]);
    expect(notStrings).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const relative = await importPaths(engine, 'vigil://app/index.html', c.id, ['clip.mp4']);
    expect(relative).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(/absolute/) } });
    const missing = await importPaths(engine, 'vigil://app/index.html', c.id, [join(dir, 'missing.mp4')]);
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const file = join(dir, 'x.bin');
    writeFileSync(file, 'not a video but a file: the import job refuses it later');
    const r = await importPaths(engine, 'vigil://app/index.html', c.id, [file]);
    expect(r.ok && r.value.length).toBe(1);
    await engine.jobs.idle();
  });
});
