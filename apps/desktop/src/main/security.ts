/**
 * Electron security policy as plain data and functions, so it can be tested without the Electron
 * binary (see docs/security.md for the checklist this implements).
 */
import type { WebPreferences } from 'electron';

export const APP_SCHEME = 'vigil';
export const APP_ORIGIN = `${APP_SCHEME}://app`;
export const MEDIA_SCHEME = 'vigil-media';
/** Report HTML handed to printToPDF (its own session; never shown). */
export const PRINT_SCHEME = 'vigil-print';

export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    spellcheck: false,
    navigateOnDragDrop: false,
  };
}

/** Only our own app pages may be loaded in the window; everything else is refused. */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === 'app';
  } catch {
    return false;
  }
}

/** IPC is answered only for frames showing our app (not a navigated-away or injected frame). */
export function isTrustedSender(frameUrl: string | undefined | null): boolean {
  return !!frameUrl && isAppUrl(frameUrl);
}

/** Every permission request (camera, geolocation, notifications, ...) is denied. */
export function permissionDecision(_permission: string): boolean {
  return false;
}

/** The opaque id in `vigil-media://<host>/<id>` when it has the expected prefix; never a path. */
function mediaSchemeId(url: string, host: string, prefix: string): string | null {
  try {
    const u = new URL(url);
    if (u.protocol !== `${MEDIA_SCHEME}:` || u.host !== host) return null;
    const id = decodeURIComponent(u.pathname.replace(/^\//, ''));
    return new RegExp(`^${prefix}_[a-z2-7]{10,40}$`).test(id) ? id : null;
  } catch {
    return null;
  }
}

/** Evidence ids only, on `vigil-media://evidence/<id>`: the media protocol never accepts paths. */
export const mediaIdFromUrl = (url: string): string | null => mediaSchemeId(url, 'evidence', 'ev');

/** Report ids only, on `vigil-media://report/<id>`. */
export const reportIdFromUrl = (url: string): string | null => mediaSchemeId(url, 'report', 'rep');

/** Maps an app URL to a file inside the renderer folder, refusing traversal. */
export function appUrlToRelativePath(url: string): string | null {
  if (!isAppUrl(url)) return null;
  let p: string;
  try {
    p = decodeURIComponent(new URL(url).pathname).replace(/^\/+/, '') || 'index.html';
  } catch {
    return null; // malformed percent-encoding (`%ff`): not one of our files
  }
  if (p.split('/').some((seg) => seg === '..' || seg === '')) return null;
  return p;
}

/** The parts of webContents the hardening uses (so tests can pass a recorder instead of Electron's). */
export interface HardenableContents {
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  on(event: 'will-navigate' | 'will-redirect' | 'will-attach-webview', listener: (event: { preventDefault(): void }, url?: string) => void): unknown;
}

/** New windows denied; navigation and redirects only within the app; no <webview>. */
export function hardenWebContents(contents: HardenableContents): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  const stayInApp = (event: { preventDefault(): void }, url?: string) => {
    if (!url || !isAppUrl(url)) event.preventDefault();
  };
  contents.on('will-navigate', stayInApp);
  contents.on('will-redirect', stayInApp);
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
