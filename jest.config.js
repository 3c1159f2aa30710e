/**
 * Two projects, both run by `pnpm test`:
 * - unit: `*.test.ts`, pure and fast;
 * - integration: `*.int.test.ts`, real Redis, real SQLite files, real HTTP on loopback.
 * TypeScript is stripped by @swc/jest (type-checking is `pnpm typecheck`).
 */
const transform = {
  '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
};
const common = {
  transform,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  roots: ['<rootDir>/apps', '<rootDir>/packages', '<rootDir>/test', '<rootDir>/scripts'],
};

/** @type {import('jest').Config} */
module.exports = {
  // Integration tests run real crawls; the limit is a safety net, not a performance assertion.
  testTimeout: 120000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['**/*.test.ts'], testPathIgnorePatterns: ['\\.int\\.test\\.ts$', '/node_modules/'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['**/*.int.test.ts'],
      testPathIgnorePatterns: ['/node_modules/'],
      testTimeout: 120000,
    },
  ],
};
