// Jest runs TypeScript as native ESM (swc transform, no CommonJS interop) because
// @kubernetes/client-node 2.x and parquet-wasm ship ESM only.
const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'es6' } },
  ],
};
const shared = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform,
  testEnvironment: 'node',
};

/** @type {import('jest').Config} */
export default {
  reporters: ['default', '<rootDir>/testbin/jest-summary-reporter.js'],
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/dist/', '\\.int\\.test\\.ts$', '\\.cluster\\.test\\.ts$'],
      setupFilesAfterEnv: ['<rootDir>/testbin/jest-unit-setup.js'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/**/*.int.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/dist/'],
      setupFilesAfterEnv: ['<rootDir>/testbin/jest-integration-setup.js'],
      testEnvironment: '<rootDir>/testbin/jest-environment.js',
    },
    {
      // Tests on the real single-node cluster (testbin/cluster): `npm run test:cluster`, root only.
      ...shared,
      displayName: 'cluster',
      testMatch: ['<rootDir>/**/*.cluster.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/dist/'],
      setupFilesAfterEnv: ['<rootDir>/testbin/jest-cluster-timeout.js'],
      testEnvironment: '<rootDir>/testbin/jest-environment.js',
      globalSetup: '<rootDir>/testbin/jest-cluster-global-setup.js',
      globalTeardown: '<rootDir>/testbin/jest-cluster-global-teardown.js',
    },
  ],
};
