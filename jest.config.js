/**
 * Jest runs the TypeScript sources as ES modules (Nest 12 ships ESM only), so it needs
 * `NODE_OPTIONS=--experimental-vm-modules` (set by `npm run test:jest`).
 * jose (pulled in by jwks-rsa) is ESM that jwks-rsa `require`s; jest's CommonJS loader cannot
 * do that on Node 20, so jose's files are turned into CommonJS by babel. The same holds for
 * content-disposition, which @fastify/static (Swagger UI's assets) requires.
 */
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
    '^.+/node_modules/(jose|content-disposition)/.+\\.js$': [
      'babel-jest',
      { babelrc: false, configFile: false, plugins: ['@babel/plugin-transform-modules-commonjs'] },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(.*/node_modules/)?(jose|content-disposition)/)'],
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
  setupFiles: [
    '<rootDir>/test/support/isolated-data-dir.ts',
    '<rootDir>/test/support/quiet-logs.js',
  ],
  testTimeout: 20000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
