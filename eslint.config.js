// Lint: strict TS, import boundaries between layers (DESIGN.md "Layers"), no cycles.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';

const layer = (dir, forbidden) => ({
  files: [`src/${dir}/**/*.{ts,tsx}`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: forbidden.map((f) => ({ group: [f], message: `src/${dir} must not import ${f} (DESIGN.md layers)` })),
      },
    ],
  },
});

const RUNTIMES = ['onnxruntime-web', 'onnxruntime-web/*', 'onnxruntime-node'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'models/**', 'public/**', 'test-results/**', 'playwright-report/**', '.venv/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX, 'react-hooks': reactHooks },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': 'error',
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'dexie', message: 'only src/storage imports dexie' }], patterns: [{ group: RUNTIMES, message: 'only src/worker and the Node tools import an ONNX runtime' }] },
      ],
    },
  },
  // The import-x resolver crashes on @vitejs/plugin-react's package exports; the config has no cycles to find.
  { files: ['vite.config.ts'], rules: { 'import-x/no-cycle': 'off' } },
  { files: ['**/*.test.{ts,tsx}', 'e2e/**/*.ts', 'scripts/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off', 'no-restricted-imports': 'off' } },
  { files: ['src/storage/**/*.{ts,tsx}'], rules: { 'no-restricted-imports': ['error', { patterns: [{ group: RUNTIMES, message: 'storage must not import an ONNX runtime' }, { group: ['**/ui/**', '**/app/**', '**/viewer/**'], message: 'storage is below ui' }] }] } },
  { files: ['src/worker/**/*.{ts,tsx}'], rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'dexie', message: 'only src/storage imports dexie' }], patterns: [{ group: ['**/ui/**', '**/app/**', '**/viewer/**', '**/storage/**'], message: 'worker is below ui' }] }] } },
  layer('lib', ['**/app/**', '**/ui/**', '**/viewer/**', '**/tools/**', '**/state/**', '**/mask/**', '**/scan/**', '**/engine/**', '**/worker/**', '**/storage/**', 'dexie', ...RUNTIMES]),
  layer('mask', ['**/app/**', '**/ui/**', '**/viewer/**', '**/tools/**', '**/state/**', '**/engine/**', '**/worker/**', '**/storage/**', 'dexie', 'react', ...RUNTIMES]),
  layer('scan', ['**/app/**', '**/ui/**', '**/viewer/**', '**/tools/**', '**/state/**', '**/engine/**', '**/worker/**', '**/storage/**', 'dexie', 'react', ...RUNTIMES]),
  layer('pacs', ['**/app/**', '**/ui/**', '**/viewer/**', '**/tools/**', '**/state/**', '**/engine/**', '**/worker/**', '**/storage/**', 'dexie', 'react', ...RUNTIMES]),
  layer('engine', ['**/app/**', '**/ui/**', '**/viewer/**', '**/tools/**', '**/state/**', '**/worker/**', '**/storage/**', 'dexie', 'react', ...RUNTIMES]),
  layer('tools', ['**/app/**', '**/ui/**', '**/viewer/**', '**/engine/**', '**/worker/**', '**/storage/**', 'dexie', ...RUNTIMES]),
  layer('viewer', ['**/app/**', '**/ui/**', '**/worker/**', '**/storage/**', 'dexie', ...RUNTIMES]),
  layer('ui', ['**/app/**', 'dexie', ...RUNTIMES]),
);
