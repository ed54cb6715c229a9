// The security headers agree wherever they are written: vite preview/dev (scripts/security-headers.ts),
// the built page's <meta>, and the service worker's offline responses (public/sw.js).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import react from '@vitejs/plugin-react';
import { CSP, CSP_META, devCsp, SECURITY_HEADERS } from '../../scripts/security-headers';

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
    expect(SECURITY_HEADERS).toMatchObject({ 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' });
  });

  it("the dev server's policy allows no inline script but the React-refresh preamble, by its hash", () => {
    const preamble = react.preambleCode.replace('__BASE__', '/');
    const dev = devCsp([preamble]);
    const hash = createHash('sha256').update(preamble).digest('base64');
    expect(dev).toContain(`script-src 'self' 'wasm-unsafe-eval' 'sha256-${hash}';`);
    expect(dev).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(dev).toMatch(/connect-src 'self';/);
    // everything else is the production policy
    expect(dev.replace(` 'sha256-${hash}'`, '')).toBe(CSP);
  });

  it('the service worker serves the same policy and headers', () => {
    expect(/const CSP = "([^"]+)"/.exec(sw)?.[1]).toBe(CSP);
    expect(sw).toContain("'X-Content-Type-Options': 'nosniff'");
    expect(sw).toContain("'Referrer-Policy': 'no-referrer'");
  });
});
