import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'coverage/', 'node_modules/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Token logic stays framework-free: the Nest glue imports core, never the other way round.
    // Specs may sign test tokens with the testing kit's framework-free signer.
    files: ['src/auth/core/**/*.ts'],
    ignores: ['src/auth/core/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@nestjs/*', 'passport', 'passport-*', 'express', 'fastify', '@fastify/*'],
              message: 'src/auth/core is framework-free.',
            },
            {
              group: ['../*', '!../core'],
              message: 'src/auth/core imports nothing from the Nest glue.',
            },
          ],
        },
      ],
    },
  },
  {
    // GraphQL support stays optional for the auth package: no static import of a GraphQL library
    // (the GraphQL context is read from the ExecutionContext by shape).
    files: ['src/auth/**/*.ts'],
    ignores: ['src/auth/core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['graphql', 'graphql/*', 'graphql-ws', 'graphql-ws/*', '@nestjs/graphql'],
              message: 'GraphQL is an optional peer of src/auth: read the context by shape.',
            },
            {
              group: ['mercurius', '@nestjs/mercurius', '@nestjs/apollo', '@apollo/*'],
              message: 'GraphQL is an optional peer of src/auth: read the context by shape.',
            },
          ],
        },
      ],
    },
  },
  {
    // Features use the auth module's public API, never its internals.
    files: ['src/**/*.ts'],
    ignores: ['src/auth/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/auth/*', '!**/auth/index.js'],
              message: 'Import from src/auth/index.ts.',
            },
          ],
        },
      ],
    },
  },
  prettier,
);
