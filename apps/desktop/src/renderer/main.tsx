/**
 * Renderer entry, shared by the Electron window and the loopback web host. The transport is the only
 * difference: Electron's preload exposes `window.vigil` (IPC); in a browser the page talks HTTP to the
 * origin it was served from, authenticated by the per-launch token from the URL.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClientProvider } from '@tanstack/react-query';
import type { ApiClient } from '@vigil/engine/contract';
import { App, createHttpClient, createIpcClient, createVigilQueryClient, type VigilBridge } from '@vigil/ui';

declare global {
  interface Window {
    vigil?: VigilBridge;
  }
}

const TOKEN_KEY = 'vigil.token';

/**
 * The token arrives as `?token=` on first load. It is kept in sessionStorage (this tab only) and removed
 * from the address bar so it does not end up in history, bookmarks or screenshots; reloads read it back.
 */
function takeToken(): string {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    try {
      sessionStorage.setItem(TOKEN_KEY, fromUrl);
      url.searchParams.delete('token');
      history.replaceState(history.state, '', url.pathname + url.search + url.hash);
    } catch {
      // no storage: keep the token in the URL so a reload still works
    }
    return fromUrl;
  }
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

function pickClient(): ApiClient {
  if (window.vigil) return createIpcClient(window.vigil);
  return createHttpClient(location.origin, takeToken());
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={createVigilQueryClient()}>
      <App client={pickClient()} />
    </QueryClientProvider>
  </StrictMode>,
);
