// Vite plugin for model bundles and offline use:
// - dev and preview: serves models/<...>/ at /models/<...>/ (only files inside a bundle folder, i.e. one
//   with a manifest.json; Range requests supported for download resume) and /models/index.json;
// - build: copies the shipped bundles (manifest + the files it lists) into dist/models/<id>/, writes
//   dist/models/index.json, adds the engine harness page as a build input (test builds only: --mode test), and writes
//   dist/precache-manifest.json (every file of the build, with a content hash) for public/sw.js.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, createReadStream } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Plugin, ResolvedConfig } from 'vite';

export interface ModelsPluginOptions {
  /** Bundle ids (folders of models/) shipped with the app and precached. */
  shipped?: string[];
  modelsDir?: string;
}

const TYPES: Record<string, string> = { '.json': 'application/json', '.onnx': 'application/octet-stream', '.data': 'application/octet-stream' };
const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

interface BundleIndexEntry {
  id: string;
  name: string;
  path: string;
  bytes: number;
}

function readManifest(dir: string): { id: string; name: string; files: { path: string; bytes: number }[] } | null {
  try {
    return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { id: string; name: string; files: { path: string; bytes: number }[] };
  } catch {
    return null;
  }
}

function indexOf(modelsDir: string, ids: string[]): BundleIndexEntry[] {
  return ids.flatMap((id) => {
    const m = readManifest(join(modelsDir, id));
    return m ? [{ id: m.id, name: m.name, path: `models/${id}/`, bytes: m.files.reduce((s, f) => s + f.bytes, 0) }] : [];
  });
}

/** The file for a /models/... URL path, if it lies inside a bundle folder under modelsDir. */
function bundleFile(modelsDir: string, urlPath: string): string | null {
  const rel = decodeURIComponent(urlPath.replace(/^\/models\//, ''));
  if (!rel || rel.split('/').some((p) => p === '..' || p === '' || p.startsWith('.'))) return null;
  const file = resolve(modelsDir, rel);
  if (!file.startsWith(modelsDir + sep) || !TYPES[file.slice(file.lastIndexOf('.'))]) return null;
  if (!existsSync(file) || !statSync(file).isFile()) return null;
  for (let d = dirname(file); d.startsWith(modelsDir + sep); d = dirname(d)) if (existsSync(join(d, 'manifest.json'))) return file;
  return null;
}

function serveFile(req: IncomingMessage, res: ServerResponse, file: string): void {
  const size = statSync(file).size;
  const headers: Record<string, string | number> = { ...ISOLATION, 'Content-Type': TYPES[file.slice(file.lastIndexOf('.'))], 'Accept-Ranges': 'bytes', 'Cache-Control': 'no-cache' };
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  if (range) {
    const start = Number(range[1]);
    const end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    if (start >= size || start > end) {
      res.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}` }).end();
      return;
    }
    res.writeHead(206, { ...headers, 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': end - start + 1 });
    createReadStream(file, { start, end }).pipe(res);
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Length': size });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

/**
 * The bundles shipped with the app, in this order in /models/index.json: the two VLSMs (which one the app
 * uses by default for a kind of scan is on their cards, modelCard.defaultFor: src/ui/models/defaultModel.ts),
 * then the image-only baselines (models/unet-baseline, 2.0 MB; models/deeplabv3plus-baseline, 8.4 MB, on the v2's
 * image encoder): built in, so a clinician finds them in the Model and Compare models panels without importing a
 * folder.
 */
export const SHIPPED_BUNDLES: readonly string[] = ['compact-vlsm', 'compact-vlsm-v2', 'unet-baseline', 'deeplabv3plus-baseline'];

export function modelsPlugin(options: ModelsPluginOptions = {}): Plugin {
  const root = process.cwd();
  const modelsDir = resolve(root, options.modelsDir ?? 'models');
  const shipped = options.shipped ?? [...SHIPPED_BUNDLES];
  let config: ResolvedConfig;
  const middleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/models/index.json') {
      res.writeHead(200, { ...ISOLATION, 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' });
      res.end(JSON.stringify(indexOf(modelsDir, shipped)));
      return;
    }
    const file = path.startsWith('/models/') ? bundleFile(modelsDir, path) : null;
    if (file) serveFile(req, res, file);
    else next();
  };
  return {
    name: 'vlsm-models',
    config(user, env) {
      const input = user.build?.rolldownOptions?.input ?? user.build?.rollupOptions?.input;
      // The engine harness page is a test page: only in test builds (`vite build --mode test`), never in production.
      if (input || env.mode === 'production') return;
      return { build: { rolldownOptions: { input: { main: resolve(root, 'index.html'), harness: resolve(root, 'src/worker/harness/engine.html') } } } };
    },
    configResolved(c) {
      config = c;
    },
    configureServer(server) {
      server.middlewares.use(middleware);
    },
    configurePreviewServer(server) {
      server.middlewares.use(middleware);
    },
    closeBundle() {
      if (config.command !== 'build') return;
      const outDir = resolve(root, config.build.outDir);
      if (!existsSync(outDir)) return;
      for (const id of shipped) {
        const src = join(modelsDir, id);
        const m = readManifest(src);
        if (!m) {
          config.logger.warn(`[vlsm-models] shipped bundle '${id}' has no manifest.json; not copied`);
          continue;
        }
        const dst = join(outDir, 'models', id);
        mkdirSync(dst, { recursive: true });
        for (const p of ['manifest.json', ...m.files.map((f) => f.path)]) {
          mkdirSync(dirname(join(dst, p)), { recursive: true });
          copyFileSync(join(src, p), join(dst, p));
        }
      }
      mkdirSync(join(outDir, 'models'), { recursive: true });
      writeFileSync(join(outDir, 'models', 'index.json'), JSON.stringify(indexOf(modelsDir, shipped)));
      const files = walk(outDir)
        .map((f) => relative(outDir, f).split(sep).join('/'))
        .filter((f) => f !== 'sw.js' && f !== 'precache-manifest.json' && !f.endsWith('.map') && !f.startsWith('src/worker/harness/'));
      const entries = files.map((f) => ({ url: config.base + f, revision: createHash('sha256').update(readFileSync(join(outDir, f))).digest('hex').slice(0, 16) }));
      const version = createHash('sha256').update(JSON.stringify(entries)).digest('hex').slice(0, 16);
      writeFileSync(join(outDir, 'precache-manifest.json'), JSON.stringify({ version, entries }));
      // The version goes into sw.js itself, so a new build is a new service worker (browsers compare bytes).
      const sw = join(outDir, 'sw.js');
      if (existsSync(sw)) writeFileSync(sw, readFileSync(sw, 'utf8').replace('__PRECACHE_VERSION__', version));
      config.logger.info(`[vlsm-models] shipped ${shipped.join(', ')}; precache ${entries.length} files (version ${version})`);
    },
  };
}
