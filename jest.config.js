/**
 * One jest run over every workspace, in two projects: `unit` (pure code, no servers, seconds:
 * `npm test -- --selectProjects unit`) and `stack` (real servers; each test file gets its own
 * database, so files run in parallel). Plain `npm test` runs both.
 */
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.base.json', diagnostics: false }] },
  moduleNameMapper: { '^@aether/common$': '<rootDir>/common/src/index.ts', '^@aether/common/(.*)$': '<rootDir>/common/src/$1.ts' },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};
const unitTests = ['<rootDir>/{gateway,subgraphs/*}/test/unit/**/*.test.ts', '<rootDir>/common/test/**/*.test.ts', '<rootDir>/test/unit/**/*.test.ts'];

module.exports = {
  testTimeout: 60_000,
  maxWorkers: process.env.CI ? 2 : '50%',
  projects: [
    { ...shared, displayName: 'unit', testMatch: unitTests },
    {
      ...shared,
      displayName: 'stack',
      testMatch: ['<rootDir>/{gateway,subgraphs/*,test}/test/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: [...shared.testPathIgnorePatterns, '/test/unit/'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
    },
  ],
};
