// Lint: strict TS, import boundaries between the layers of src/ (docs/ARCHITECTURE.md "Layers"), no cycles.
// Layer rules resolve each import to a file (import-x/no-restricted-paths), so '../state', '../state/index'
// and '../state/runs.ts' are the same import, from .ts, .tsx, .js and .mjs files alike.
// src/lint.test.ts lints one wrong import per layer boundary and fails if a rule here stops reporting it.
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';

/** What each layer of src/ may import (besides itself); every other layer is off limits. Top to bottom. */
export const LAYERS = {
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

/** Packages a layer must not import: the database only in storage, an ONNX runtime only in worker, React
 * not below the layers that draw. */
const RUNTIMES = ['onnxruntime-web', 'onnxruntime-web/*', 'onnxruntime-node'];
const NO_REACT = ['lib', 'mask', 'scan', 'engine', 'worker', 'storage', 'demo', 'pacs'];
const packagesBanned = (layer) => [
  ...(layer === 'storage' ? [] : [{ name: 'dexie', message: `src/${layer} must not import dexie: only src/storage does` }]),
  ...(NO_REACT.includes(layer) ? ['react', 'react-dom'].map((name) => ({ name, message: `src/${layer} must not import ${name} (below the UI layers)` })) : []),
];
const runtimesBanned = (layer) => (layer === 'worker' ? [] : [{ group: RUNTIMES, message: `src/${layer} must not import an ONNX runtime: only src/worker and the Node tools do` }]);

const SRC = ['src/**/*.{ts,tsx,js,mjs}'];
const layerRules = Object.entries(LAYERS).map(([layer, allowed]) => {
  const forbidden = Object.keys(LAYERS).filter((l) => l !== layer && !allowed.includes(l));
  const zones = [{ target: `./src/${layer}`, from: forbidden.map((l) => `./src/${l}`), message: `src/${layer} may import only ${allowed.map((l) => `src/${l}`).join(', ') || 'nothing else in src'} (docs/ARCHITECTURE.md "Layers")` }];
  return {
    files: [`src/${layer}/**/*.{ts,tsx,js,mjs}`],
    rules: {
      ...(forbidden.length ? { 'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones }] } : {}),
      'no-restricted-imports': ['error', { paths: packagesBanned(layer), patterns: runtimesBanned(layer) }],
    },
  };
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'models/**', 'public/**', 'test-results/**', 'playwright-report/**', '.venv/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,js,mjs}'],
    plugins: { 'import-x': importX, 'react-hooks': reactHooks },
    // Resolve TypeScript sources too (the resolver's default is .js/.mjs/.cjs/.json only): without it the
    // import rules below cannot follow '../state' to src/state/index.ts and report nothing.
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.mjs', '.js', '.json'] })] },
    rules: {
      'import-x/no-cycle': 'error',
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
    },
  },
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: SRC, rules: { 'no-restricted-imports': ['error', { paths: packagesBanned('app'), patterns: runtimesBanned('app') }] } },
  ...layerRules,
  // The import-x resolver crashes on @vitejs/plugin-react's package exports; the config has no cycles to find.
  { files: ['vite.config.ts'], rules: { 'import-x/no-cycle': 'off' } },
  // Tests and their helpers may reach across layers (a storage test builds a scan, an e2e spec reads the engine).
  {
    files: ['**/*.test.{ts,tsx}', 'e2e/**', 'scripts/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', 'no-restricted-imports': 'off', 'import-x/no-restricted-paths': 'off' },
  },
);
