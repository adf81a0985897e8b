import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const sectors = ['tax', 'procurement', 'courts', 'ecommerce'];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/.nx/**',
      '.stack/**',
      'libs/contracts/src/gen/**',
      'tools/**',
      '*.config.js',
      '**/jest.config.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A Kafka send nobody awaits loses data silently.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Only the configuration classes read the environment.
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read configuration through the service config class (libs/platform loadConfig).',
        },
      ],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // A sector service never imports the exchange or another sector.
            ...sectors.map((s) => ({
              sourceTag: `scope:${s}`,
              onlyDependOnLibsWithTags: [`scope:${s}`, 'scope:shared'],
            })),
            { sourceTag: 'scope:exchange', onlyDependOnLibsWithTags: ['scope:exchange', 'scope:shared'] },
            // The reference subscriber is a feed consumer like any other platform's: shared libs only.
            {
              sourceTag: 'scope:regional-platform',
              onlyDependOnLibsWithTags: ['scope:regional-platform', 'scope:shared'],
            },
            // The console is a client of the services' HTTP APIs: shared libs only, never a service's code.
            { sourceTag: 'scope:console', onlyDependOnLibsWithTags: ['scope:console', 'scope:shared'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            // Apps may use the testing lib in their tests only (see the no-restricted-imports rule below).
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:infra', 'type:testing'],
            },
            {
              sourceTag: 'type:infra',
              onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:infra'],
            },
            {
              sourceTag: 'type:testing',
              onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:infra', 'type:testing'],
            },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
            // Domain code is plain TypeScript: no broker, database or framework.
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:domain', 'type:contracts'],
              bannedExternalImports: [
                'kafkajs',
                '@nestjs/*',
                'typeorm',
                'pg',
                'class-validator',
                'class-transformer',
              ],
            },
          ],
        },
      ],
    },
  },
  {
    // No import cycles between files: one direction of dependency (pipeline → handlers → domain and
    // repositories) is what keeps "who calls whom" readable.
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver()],
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: ['**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.int-spec.ts', '**/test/**', 'libs/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: '@cie/testing', message: 'Only tests may import the testing lib.' }] },
      ],
    },
  },
  {
    // Domain code (every `domain/` folder) is plain TypeScript: rules that can be read and tested
    // without a broker, a database or a framework.
    files: ['**/src/**/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: '@cie/testing', message: 'Only tests may import the testing lib.' }],
          patterns: [
            {
              regex: '^(kafkajs|typeorm|pg|@nestjs/.*|class-validator|class-transformer)$',
              message:
                'Domain code imports no Kafka, database or framework: keep I/O in handlers and repositories.',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests may read their infrastructure locations from the environment and use unsafe test doubles of JSON.
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/test/**/*.ts', 'libs/testing/**/*.ts', '**/main.ts'],
    rules: {
      'no-restricted-properties': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // Jest's asymmetric matchers (expect.any, expect.stringContaining) are typed any.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  {
    // The console's page script runs in the browser, untyped and unbundled.
    files: ['services/console/public/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      sourceType: 'script',
      globals: { window: 'readonly', document: 'readonly', EventSource: 'readonly' },
    },
  },
  prettier,
);
