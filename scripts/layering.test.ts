import { allowedImports, importProblem, isTestCode, manifestProblems, type SourceImport } from './layering';

const edge = (from: string, spec: string, extra: Partial<SourceImport> = {}): SourceImport => ({
  file: 'x.ts',
  from,
  isTest: false,
  spec,
  ...extra,
});

describe('the layering rule', () => {
  test('a package may import the layers below it', () => {
    expect(importProblem(edge('@sluice/engine', '@sluice/store'))).toBeNull();
    expect(importProblem(edge('@sluice/store', '@sluice/core'))).toBeNull();
    expect(importProblem(edge('@sluice/dashboard', '@sluice/engine'))).toBeNull();
  });

  test('an upward import fails', () => {
    expect(importProblem(edge('@sluice/core', '@sluice/store'))).toMatch(/@sluice\/core may not depend on @sluice\/store/);
    expect(importProblem(edge('@sluice/store', '@sluice/engine'))).toMatch(/may not depend on @sluice\/engine/);
    expect(importProblem(edge('@sluice/engine', '@sluice/cli'))).toMatch(/may not depend on @sluice\/cli/);
  });

  test('siblings never import each other', () => {
    expect(importProblem(edge('@sluice/queue', '@sluice/http'))).toMatch(/may not depend/);
    expect(importProblem(edge('@sluice/http', '@sluice/store'))).toMatch(/may not depend/);
  });

  test('nothing imports an app but the CLI importing the dashboard', () => {
    expect(importProblem(edge('@sluice/cli', '@sluice/dashboard'))).toBeNull();
    expect(importProblem(edge('@sluice/dashboard', '@sluice/cli'))).toMatch(/may not depend/);
    expect(importProblem(edge('@sluice/engine', '@sluice/mock-api'))).toMatch(/may not depend/);
  });

  test('test code may also import the test kit and the mock API, production code may not', () => {
    expect(importProblem(edge('@sluice/queue', '@sluice/testkit', { isTest: true }))).toBeNull();
    expect(importProblem(edge('@sluice/engine', '@sluice/mock-api', { isTest: true }))).toBeNull();
    expect(importProblem(edge('@sluice/queue', '@sluice/testkit'))).toMatch(/may not depend on @sluice\/testkit/);
  });

  test("an import into another package's src/ fails, by name or by relative path", () => {
    expect(importProblem(edge('@sluice/engine', '@sluice/store/src/schema'))).toMatch(/reaches inside @sluice\/store/);
    expect(importProblem(edge('@sluice/scripts', '../packages/store', { relativeTarget: '@sluice/store' }))).toMatch(
      /a path into @sluice\/store; import '@sluice\/store'/,
    );
    expect(importProblem(edge('@sluice/engine', './work', { relativeTarget: '@sluice/engine' }))).toBeNull();
    expect(importProblem(edge('@sluice/engine', '../../../jest.config', { relativeTarget: null }))).toMatch(/outside its package/);
  });

  test('top-level consumers may import any package, and nothing may import them', () => {
    expect(importProblem(edge('@sluice/e2e-tests', '@sluice/dashboard'))).toBeNull();
    expect(importProblem(edge('@sluice/scripts', '@sluice/store'))).toBeNull();
    expect(importProblem(edge('@sluice/testkit', '@sluice/scripts'))).toMatch(/may not depend on @sluice\/scripts/);
    expect(importProblem(edge('@sluice/bench', '@sluice/e2e-tests'))).toMatch(/may not depend/);
  });

  test('a package missing from the table fails instead of passing', () => {
    expect(importProblem(edge('@sluice/new', '@sluice/core'))).toMatch(/@sluice\/new is not in the layering table/);
    expect(importProblem(edge('@sluice/engine', '@sluice/new'))).toMatch(/@sluice\/new is not in the layering table/);
    expect(allowedImports('@sluice/new', false)).toBeNull();
  });

  test('npm packages and Node built-ins are not judged', () => {
    expect(importProblem(edge('@sluice/core', 'zod'))).toBeNull();
    expect(importProblem(edge('@sluice/core', 'node:fs'))).toBeNull();
  });

  test('declared dependencies follow the same rule; devDependencies may name the test imports', () => {
    expect(manifestProblems('@sluice/engine', { dependencies: { '@sluice/core': 'workspace:*', zod: '^4' } })).toEqual([]);
    expect(manifestProblems('@sluice/http', { dependencies: { '@sluice/queue': 'workspace:*' } })).toEqual([
      expect.stringMatching(/@sluice\/http declares @sluice\/queue in dependencies/),
    ]);
    expect(manifestProblems('@sluice/queue', { devDependencies: { '@sluice/testkit': 'workspace:*' } })).toEqual([]);
    expect(manifestProblems('@sluice/queue', { dependencies: { '@sluice/testkit': 'workspace:*' } })).toHaveLength(1);
  });

  test('test code is tests, test support beside them, and a package test/ folder', () => {
    expect(isTestCode('src/limiter/windows.int.test.ts')).toBe(true);
    expect(isTestCode('src/limiter/testSupport.ts')).toBe(true);
    expect(isTestCode('test/helpers.ts')).toBe(true);
    expect(isTestCode('src/limiter/windows.ts')).toBe(false);
    expect(isTestCode('src/testament.ts')).toBe(false);
    expect(isTestCode('src/contest/x.ts')).toBe(false);
  });
});
