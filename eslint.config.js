// Lint rules: strict type-aware TypeScript, sorted imports, no `any`.
import js from '@eslint/js';
import simpleImportSort from 'eslint-plugin-simple-import-sort';
import tseslint from 'typescript-eslint';

import { moduleBoundaryConfigs } from './module-boundaries.js';

export default tseslint.config(
  { ignores: ['node_modules', 'data', 'dist', 'web/dist', 'src/platform/db/migrations'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'simple-import-sort': simpleImportSort },
    rules: {
      'simple-import-sort/imports': 'error',
      'simple-import-sort/exports': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  ...moduleBoundaryConfigs(),
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
