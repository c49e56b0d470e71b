// ESLint (typescript-eslint, type-aware). Workflow code must stay deterministic: no Node
// built-ins, no clocks or randomness from outside the SDK, no calendar libraries (the planner
// does all date arithmetic), and no floating promises anywhere.
import js from '@eslint/js';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'data/**',
      '.venv-temporal/**',
      'artifacts/**',
      'eslint.config.mjs',
      'server/assets/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // plain CommonJS loaded by path (codec/failure-converter.js): no TypeScript project, no types
    files: ['**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'commonjs',
      globals: { require: 'readonly', exports: 'writable', module: 'writable' },
    },
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({
            name,
            message: 'Workflow code must be deterministic: no Node built-ins (use an activity).',
          })),
          patterns: [
            {
              group: ['luxon', 'moment', 'dayjs', 'date-fns'],
              message: 'No calendar arithmetic in workflows: the planner computes instants.',
            },
            {
              group: ['knex', 'pg', 'sqlite3', 'express', 'uuid', 'nanoid'],
              message: 'Workflow code must be deterministic: use an activity.',
            },
            {
              group: ['../db/*', '../server/*', '../activities', '../activities/*'],
              allowTypeImports: true,
              message: 'Import activities and stores as types only.',
            },
            {
              group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity'],
              message: 'Workflows import @temporalio/workflow and @temporalio/common only.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use sleep() from @temporalio/workflow.' },
        { name: 'setInterval', message: 'Use sleep() in a loop.' },
        { name: 'process', message: 'No process access in workflows.' },
      ],
    },
  },
);
