// The app's security headers, in one place: served by `vite preview` (and by `vite dev`, with only the
// hash of Vite's one inline dev script added), written as a <meta> Content-Security-Policy into the built index.html for
// static hosting, and repeated in public/sw.js for the responses the service worker answers offline
// (src/app/csp.test.ts checks the copies agree).
//
// - scripts only from this origin; 'wasm-unsafe-eval' because onnxruntime-web and the image codecs
//   compile WebAssembly; no inline or eval'd script;
// - workers from this origin only (module workers of the build); no blob: workers are used;
// - connect-src 'self': nothing leaves the app; the service worker adds the model hosts the user allowed
//   (Model panel) to connect-src of the page it serves;
// - inline style attributes are allowed (React and konva set element styles), style sheets from here;
// - images from here, data: (thumbnails, favicon) and blob: (exports);
// - no plugins, no <base> change, no form posts, never framed.
import { createHash } from 'node:crypto';

export const CSP_DIRECTIVES: [string, string][] = [
  ['default-src', "'self'"],
  ['script-src', "'self' 'wasm-unsafe-eval'"],
  ['worker-src', "'self'"],
  ['connect-src', "'self'"],
  ['img-src', "'self' data: blob:"],
  ['style-src', "'self' 'unsafe-inline'"],
  ['font-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'self'"],
  ['form-action', "'none'"],
  ['frame-ancestors', "'none'"],
];

export const CSP = CSP_DIRECTIVES.map(([k, v]) => `${k} ${v}`).join('; ');

/** As a <meta> tag: frame-ancestors is ignored there (header only), so it is left out. */
export const CSP_META = CSP_DIRECTIVES.filter(([k]) => k !== 'frame-ancestors').map(([k, v]) => `${k} ${v}`).join('; ');

/** The CSP source expression allowing exactly one inline script (its SHA-256, CSP Level 2). */
export function scriptHash(code: string): string {
  return `'sha256-${createHash('sha256').update(code, 'utf8').digest('base64')}'`;
}

/**
 * The dev server's policy: the same as production, except that Vite's dev page carries one inline
 * module script, the React-refresh preamble (@vitejs/plugin-react), which is allowed by its hash and
 * nothing else (no 'unsafe-inline'). Its HMR websocket is on the page's own host and port, which
 * connect-src 'self' covers.
 */
export function devCsp(inlineScripts: readonly string[]): string {
  return CSP_DIRECTIVES.map(([k, v]) => `${k} ${k === 'script-src' ? [v, ...inlineScripts.map(scriptHash)].join(' ') : v}`).join('; ');
}

const common = { 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'X-Frame-Options': 'DENY' };
export const SECURITY_HEADERS: Record<string, string> = { 'Content-Security-Policy': CSP, ...common };
export const devSecurityHeaders = (inlineScripts: readonly string[]): Record<string, string> => ({ 'Content-Security-Policy': devCsp(inlineScripts), ...common });
