// The security headers agree wherever they are written: vite preview/dev (scripts/security-headers.ts),
// the built page's <meta>, and the service worker's offline responses (public/sw.js).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CSP, CSP_DEV, CSP_META, SECURITY_HEADERS } from '../../scripts/security-headers';

const sw = readFileSync(new URL('../../public/sw.js', import.meta.url), 'utf8');

describe('security headers', () => {
  it('a strict policy: self only, wasm compile allowed, no inline or eval script, never framed', () => {
    const d = Object.fromEntries(CSP.split('; ').map((x) => [x.split(' ')[0], x.slice(x.indexOf(' ') + 1)]));
    expect(d['default-src']).toBe("'self'");
    expect(d['script-src']).toBe("'self' 'wasm-unsafe-eval'");
    expect(d['connect-src']).toBe("'self'");
    expect(d['frame-ancestors']).toBe("'none'");
    expect(CSP).not.toMatch(/unsafe-eval'(?<!wasm-unsafe-eval')|script-src[^;]*unsafe-inline/);
    expect(CSP_META).not.toMatch(/frame-ancestors/);
    expect(CSP_DEV).toMatch(/script-src 'self' 'wasm-unsafe-eval' 'unsafe-inline'/); // Vite's dev preamble only
    expect(SECURITY_HEADERS).toMatchObject({ 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' });
  });

  it('the service worker serves the same policy and headers', () => {
    expect(/const CSP = "([^"]+)"/.exec(sw)?.[1]).toBe(CSP);
    expect(sw).toContain("'X-Content-Type-Options': 'nosniff'");
    expect(sw).toContain("'Referrer-Policy': 'no-referrer'");
  });
});
