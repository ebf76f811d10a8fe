/**
 * Renderer bundle for both hosts (Electron window and loopback web host). The output must run under
 * the hosts' strict CSP (script-src 'self', style-src 'self'), so nothing is inlined: no data: URLs for
 * assets, no inline module-preload polyfill, relative asset paths (base './') so the same files load
 * from file-like custom protocols and from http://127.0.0.1.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    cssCodeSplit: false,
    sourcemap: true,
    target: 'chrome120',
  },
  server: { strictPort: false },
});
