import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const noCore = {
  group: ['**/core/**', '**/core'],
  message: 'core/ sits on top: import the floor (nats/, api/) instead',
};
const noServe = {
  group: ['**/serve/**', '../serve/*'],
  message: 'features never import core/serve: throw an ApiError and let serve map it',
};
const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { paths: ['electron'], patterns }] });

const browserPatterns = [
  { group: ['node:*'], message: 'the renderer runs in a browser sandbox' },
  {
    group: ['**/core/**', '**/worker/**', '**/electron/**', '**/nats/**'],
    message: 'talk to the core through api/ only',
  },
];

const nodeOnly = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'net', 'http', 'worker_threads'];

const browserPaths = ['electron', ...nodeOnly.filter((p) => !p.includes('*'))];

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'node_modules/**',
      'test-results/**',
      'playwright-report/**',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // Runtime boundaries: only electron/ (and e2e/) may import electron.
    files: ['api/**', 'core/**', 'nats/**', 'worker/**', 'test/**', 'bench/**', 'bin/**', 'scripts/**'],
    rules: { 'no-restricted-imports': ['error', { paths: ['electron'] }] },
  },
  {
    // bench/ and e2e/ use the test harness through its public face only.
    files: ['bench/**', 'e2e/**'],
    ignores: ['e2e/electron/**'],
    rules: restrict([{ group: ['**/test/harness/*'], message: "import '…/test/harness' (its index)" }]),
  },
  // Floors point one way: api/ ← nats/ ← worker/ ← core/ ← electron/ and the CLI shells.
  // (A later block replaces the rule for its files, so each block repeats 'electron'.)
  {
    files: ['nats/**'],
    rules: restrict([noCore, { group: ['**/worker/**'], message: 'nats/ is the floor under worker/' }]),
  },
  {
    files: ['worker/**'],
    rules: restrict([noCore]),
  },
  {
    // Features answer the contract; only serve/ knows HTTP (it maps thrown ApiErrors to REST).
    files: ['core/*/**'],
    ignores: ['core/serve/**', 'core/cli/**'],
    rules: restrict([noServe]),
  },
  {
    // Replay reads messages; the messages browser knows nothing of replay.
    files: ['core/messages/**'],
    rules: restrict([
      noServe,
      { group: ['**/replay/**', '../replay/*'], message: 'replay imports messages, not the other way' },
    ]),
  },
  {
    // The renderer is a browser page: no electron, no Node built-ins, no backend code.
    files: ['renderer/**', 'api/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: browserPaths,
          patterns: browserPatterns,
        },
      ],
    },
  },
  {
    // Features link to screens through navigation.ts; the app shell (screen table) sits on top.
    files: ['renderer/features/**', 'renderer/ui/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: browserPaths,
          patterns: [
            ...browserPatterns,
            {
              group: ['**/app/**'],
              message: 'features and ui never import the app shell: use navigation.ts',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.tsx', 'renderer/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
);
