/**
 * Jest runs the TypeScript sources as ES modules (Nest 12 ships ESM only), so it needs
 * `NODE_OPTIONS=--experimental-vm-modules` (set by `npm run test:jest`).
 * jose (pulled in by jwks-rsa) is ESM that jwks-rsa `require`s; jest's CommonJS loader cannot
 * do that on Node 20, so jose's files are turned into CommonJS by babel.
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
    '^.+/node_modules/jose/.+\\.js$': [
      'babel-jest',
      { babelrc: false, configFile: false, plugins: ['@babel/plugin-transform-modules-commonjs'] },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  testTimeout: 20000,
  setupFiles: ['<rootDir>/test/support/quiet-logs.js'],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
