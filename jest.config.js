/** One jest run over every workspace; each test file gets its own database, so files run in parallel. */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.base.json', diagnostics: false }] },
  moduleNameMapper: { '^@aether/common$': '<rootDir>/common/src/index.ts' },
  testMatch: ['<rootDir>/{common,gateway,subgraphs/*,test}/test/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: process.env.CI ? 2 : '50%',
};
