// The layer rules of eslint.config.js really report wrong imports: one probe file per layer (linted in
// memory with a path inside that layer) imports each layer it must not, by folder index ('../mask'), by
// file ('../state/runs') and from nested folders, in .ts, .tsx, .js and .mjs. The expected layering is
// written out here on its own (docs/ARCHITECTURE.md "Layers"), so removing or loosening a rule in the
// config fails this test; allowed imports are checked too, so a rule that blocks everything fails as well.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** What each layer may import (besides itself). */
const ALLOWED: Record<string, string[]> = {
  app: ['ui', 'viewer', 'tools', 'state', 'worker', 'storage', 'pacs', 'engine', 'demo', 'scan', 'mask', 'lib'],
  ui: ['viewer', 'tools', 'state', 'worker', 'storage', 'pacs', 'engine', 'demo', 'scan', 'mask', 'lib'],
  viewer: ['state', 'scan', 'mask', 'lib'],
  tools: ['state', 'scan', 'mask', 'lib'],
  worker: ['engine', 'scan', 'mask', 'lib'],
  storage: ['scan', 'mask', 'lib'],
  state: ['scan', 'mask', 'lib'],
  demo: ['scan', 'mask', 'lib'],
  pacs: ['scan', 'mask', 'lib'],
  engine: ['scan', 'mask', 'lib'],
  scan: ['mask', 'lib'],
  mask: ['lib'],
  lib: [],
};

/** A real module in each layer, as imported from a file one folder down in src/ (index imports where the layer has an index). */
const TARGET: Record<string, string> = {
  app: '../app/keymap',
  ui: '../ui/shell/StatusBar',
  viewer: '../viewer',
  tools: '../tools',
  state: '../state/runs',
  worker: '../worker/protocol',
  storage: '../storage',
  engine: '../engine/manifest',
  demo: '../demo',
  pacs: '../pacs/client',
  scan: '../scan',
  mask: '../mask',
  lib: '../lib/bytes',
};

const LAYERS = Object.keys(ALLOWED);

// Type-aware parsing needs files on disk; these probes are in memory, and the import rules need no types.
const eslint = new ESLint({
  overrideConfig: [
    {
      files: ['**/*.{ts,tsx}'],
      languageOptions: { parserOptions: { projectService: false } },
      rules: { '@typescript-eslint/no-floating-promises': 'off' },
    },
  ],
});

/** Rule ids reported for `code` linted as if it were the file `filePath`. */
async function reported(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath, warnIgnored: true });
  const fatal = result.messages.filter((m) => m.fatal);
  expect(fatal, `${filePath} parses`).toEqual([]);
  return result.messages.map((m) => m.ruleId ?? '');
}

const probe = (spec: string) => `import * as m from '${spec}';\nexport const probe = m;\n`;

describe('layer rules (eslint.config.js)', () => {
  for (const layer of LAYERS) {
    const forbidden = LAYERS.filter((l) => l !== layer && !ALLOWED[layer].includes(l));
    it(`src/${layer} may not import ${forbidden.join(', ') || '(nothing forbidden)'}; may import ${ALLOWED[layer].join(', ') || 'nothing'}`, async () => {
      for (const other of forbidden) {
        const rules = await reported(probe(TARGET[other]), `src/${layer}/lint-probe.ts`);
        expect(rules, `src/${layer} importing '${TARGET[other]}'`).toContain('import-x/no-restricted-paths');
      }
      for (const other of ALLOWED[layer]) {
        const rules = await reported(probe(TARGET[other]), `src/${layer}/lint-probe.ts`);
        expect(rules, `src/${layer} importing '${TARGET[other]}' is allowed`).not.toContain('import-x/no-restricted-paths');
      }
    }, 120_000);
  }

  it('holds from nested folders, for index and file imports, in .tsx, .js and .mjs files', async () => {
    const cases: [string, string][] = [
      ['src/scan/dicom/lint-probe.ts', '../../storage'],
      ['src/scan/dicom/lint-probe.ts', '../../storage/index'],
      ['src/scan/dicom/lint-probe.ts', '../../state/runs.ts'],
      ['src/engine/testing/lint-probe.ts', '../../worker/protocol'],
      ['src/state/lint-probe.mjs', '../ui/shell/StatusBar'],
      ['src/state/lint-probe.js', '../storage'],
      ['src/mask/lint-probe.tsx', '../scan'],
      ['src/lib/lint-probe.ts', '../mask/rle'],
    ];
    for (const [file, spec] of cases) {
      expect(await reported(probe(spec), file), `${file} importing '${spec}'`).toContain('import-x/no-restricted-paths');
    }
  }, 120_000);

  it('keeps dexie in storage, ONNX runtimes in worker and React above the pure layers', async () => {
    for (const layer of LAYERS) {
      const dexie = await reported(probe('dexie'), `src/${layer}/lint-probe.ts`);
      if (layer === 'storage') expect(dexie, 'storage imports dexie').not.toContain('no-restricted-imports');
      else expect(dexie, `src/${layer} importing dexie`).toContain('no-restricted-imports');
      const ort = await reported(probe('onnxruntime-web/wasm'), `src/${layer}/lint-probe.ts`);
      if (layer === 'worker') expect(ort, 'worker imports onnxruntime-web').not.toContain('no-restricted-imports');
      else expect(ort, `src/${layer} importing onnxruntime-web`).toContain('no-restricted-imports');
    }
    for (const layer of ['lib', 'mask', 'scan', 'engine', 'worker', 'storage', 'demo', 'pacs']) {
      expect(await reported(probe('react'), `src/${layer}/lint-probe.ts`), `src/${layer} importing react`).toContain('no-restricted-imports');
    }
    expect(await reported(probe('react'), 'src/ui/lint-probe.tsx')).not.toContain('no-restricted-imports');
  }, 120_000);
});
