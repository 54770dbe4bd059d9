import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import { builtinModules } from 'node:module';

/**
 * Import patterns refused by layer (see the layering blocks below), as regular expressions over
 * the import's source: relative imports that climb into another layer's folder, and Node-only
 * modules by their exact names (every built-in module, with or without `node:`).
 */
const fromMain = {
  regex: '^(\\.\\./)+(src/)?main/',
  message:
    'Only the host and the engine (src/main) import from src/main; move shared code to src/shared.',
};
const fromRenderer = {
  regex: '^(\\.\\./)+(src/)?renderer/',
  message: 'Nothing imports the page (src/renderer); move shared code to src/shared.',
};
const nodeModules = [
  ...builtinModules.filter((m) => !m.startsWith('_')),
  'electron',
  'better-sqlite3',
  'ws',
  '@resvg/[^/]+',
  '@tensorflow/[^/]+',
];
const nodeOnly = (why) => ({
  regex: `^(node:.*|(${nodeModules.join('|')})(/.*)?)$`,
  message: `${why}: no Node-only modules.`,
});
/** A dynamic import() into src/main, which no-restricted-imports does not see. */
const dynamicFromMain = {
  selector: 'ImportExpression[source.value=/^(\\.\\.\\/)+(src\\/)?main\\//]',
  message: 'Only the host and the engine (src/main) import from src/main.',
};

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ['scripts/**/*.mjs'], languageOptions: { globals: globals.node } },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
    },
  },
  // Layering: shared code imports nothing from the host, the engine or the page, and nothing
  // Node-only (the page imports it); the page imports only shared code and browser modules; the
  // engine never reaches into the host's services, the database or Electron.
  {
    files: ['src/shared/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [fromMain, fromRenderer, nodeOnly('src/shared runs in the page too')] },
      ],
      'no-restricted-syntax': ['error', dynamicFromMain],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [fromMain, nodeOnly('the page runs in a browser or a sandboxed renderer')] },
      ],
      'no-restricted-syntax': ['error', dynamicFromMain],
    },
  },
  {
    files: ['src/main/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            fromRenderer,
            {
              regex: '^((\\.\\./)+host(/|$)|(electron|better-sqlite3)(/|$))',
              message:
                'The engine runs in its own process: it reports through ctx.emit and touches no host service, database or Electron API.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/main/host/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            fromRenderer,
            {
              regex: '^electron(/|$)',
              message: 'Host services are Electron-free (createHost runs in plain Node).',
            },
          ],
        },
      ],
    },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
);
