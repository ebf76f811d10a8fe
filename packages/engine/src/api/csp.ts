/**
 * The renderer's Content-Security-Policy, shared by the web host (HTTP header) and Electron (response
 * header on the app protocol). No inline script or style, no eval, no remote origins.
 */
export function contentSecurityPolicy(mediaScheme?: string): string {
  const media = ["'self'", 'blob:', ...(mediaScheme ? [`${mediaScheme}:`] : [])].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    `media-src ${media}`,
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
