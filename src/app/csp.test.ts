// The security headers agree wherever they are written: vite preview/dev (scripts/security-headers.ts),
// the built page's <meta>, and the service worker's offline responses (public/sw.js).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
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

  it('test read-outs (window.__vlsm*) are installed only outside production builds', () => {
    const src = new URL('../', import.meta.url).pathname;
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const f of readdirSync(d)) {
        const p = join(d, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f)) files.push(p);
      }
    };
    walk(src);
    const calls: string[] = [];
    const unguarded: string[] = [];
    // installers that check the mode themselves (first line of their body)
    const selfGuarded = new Set<string>();
    for (const f of files) {
      const lines = readFileSync(f, 'utf8').split('\n');
      lines.forEach((line, i) => {
        const m = /^export function (install\w*TestHook)\(/.exec(line);
        if (m && /import\.meta\.env\.MODE === 'production'\) return/.test(lines[i + 1] ?? '')) selfGuarded.add(m[1]);
      });
    }
    for (const f of files) {
      if (f.includes('/worker/harness/')) continue; // the engine harness page is a test page, not the app
      const lines = readFileSync(f, 'utf8').split('\n');
      lines.forEach((line, i) => {
        // a hook is set only inside an install…TestHook function, or behind the MODE check on its line
        if (/window\.__vlsm\w* = /.test(line) && !/MODE !== 'production'/.test(line)) {
          const fn = lines.slice(0, i).reverse().find((l) => /^export function /.test(l)) ?? '';
          if (!/install\w*TestHook/.test(fn)) unguarded.push(`${f}:${i + 1}`);
        }
        // every call of an installer sits behind the MODE check (same line or the enclosing if, 3 lines up)
        if (/\binstall\w*TestHook\b/.test(line) && !/^export function|^import/.test(line.trim())) {
          calls.push(`${f}:${i + 1}`);
          const name = /\b(install\w*TestHook)\b/.exec(line)![1];
          if (!selfGuarded.has(name) && !lines.slice(Math.max(0, i - 3), i + 1).some((l) => /import\.meta\.env\.MODE !== 'production'/.test(l))) unguarded.push(`${f}:${i + 1}`);
        }
      });
    }
    expect(calls.length).toBeGreaterThanOrEqual(4);
    expect(unguarded).toEqual([]);
  });
});
