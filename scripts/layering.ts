/**
 * The layering rule, as data: which workspace package may import which. `pnpm cycles`
 * (scripts/checkCycles.ts) applies it to every import of every workspace file and to every
 * `@sluice/*` dependency a manifest declares; this module only decides, it reads no files.
 *
 *   core  <-  store, queue, http (siblings)  <-  limiter (on queue)  <-  engine  <-  apps
 *
 * A new package needs a line here: an unknown one fails the check rather than passing it.
 */

/** A package that may import every package except the top-level consumers. */
const EVERYTHING = '*';

/**
 * The packages each package's production code may import. Top-level consumers (end-to-end
 * tests, benchmarks, the repository's scripts) may import everything else, and nothing may
 * import them.
 */
export const LAYERING: Readonly<Record<string, readonly string[] | typeof EVERYTHING>> = {
  // Domain types and rules; no I/O.
  '@sluice/core': [],
  // Siblings: each builds on core only and never on another.
  '@sluice/store': ['@sluice/core'],
  '@sluice/queue': ['@sluice/core'],
  '@sluice/http': ['@sluice/core'],
  // Admission (windows, leases, pauses, credential pools) on the crawl's Redis connection and
  // namespace, which the queue owns.
  '@sluice/limiter': ['@sluice/core', '@sluice/queue'],
  // The use-cases, where store, queue and http meet.
  '@sluice/engine': ['@sluice/core', '@sluice/store', '@sluice/queue', '@sluice/limiter', '@sluice/http'],
  // Apps. The mock API stands in for real APIs and knows nothing of Sluice beyond core.
  '@sluice/mock-api': ['@sluice/core'],
  '@sluice/dashboard': ['@sluice/core', '@sluice/engine'],
  // The one import between apps: `sluice dashboard` is part of the single binary.
  '@sluice/cli': ['@sluice/core', '@sluice/engine', '@sluice/dashboard'],
  // Test support: any library package, and the mock API it launches; never the other apps.
  '@sluice/testkit': ['@sluice/core', '@sluice/store', '@sluice/queue', '@sluice/http', '@sluice/engine', '@sluice/mock-api'],
  // Top-level consumers.
  '@sluice/e2e-tests': EVERYTHING,
  '@sluice/bench': EVERYTHING,
  '@sluice/scripts': EVERYTHING,
};

/**
 * Test code: a test (`*.test.ts`), test support beside the tests (`testSupport.ts`,
 * `testHelpers.ts`: a file named `test` + a capital), or anything in a package's `test/` folder.
 * @param pathInPackage the file's path relative to its package folder, with `/` separators.
 */
export function isTestCode(pathInPackage: string): boolean {
  const name = pathInPackage.split('/').pop() ?? '';
  return /\.test\.ts$/.test(name) || /^test[A-Z]\w*\.ts$/.test(name) || pathInPackage.startsWith('test/');
}

/** What test code (see isTestCode) may import besides its package's own list. */
export const TEST_IMPORTS: readonly string[] = ['@sluice/testkit', '@sluice/mock-api'];

/** The packages `from` may import (test code included when `isTest`), or null when `from` is not in the table. */
export function allowedImports(from: string, isTest: boolean, table = LAYERING): ReadonlySet<string> | null {
  const rule = table[from];
  if (rule === undefined) return null;
  const own = rule === EVERYTHING ? Object.keys(table).filter((name) => name !== from && table[name] !== EVERYTHING) : rule;
  return new Set(isTest ? [...own, ...TEST_IMPORTS.filter((name) => name !== from)] : own);
}

/** One import statement of a workspace file. */
export interface SourceImport {
  /** The importing file, relative to the repository root (for messages). */
  file: string;
  /** The workspace package the file belongs to. */
  from: string;
  /** Test code (see isTestCode). */
  isTest: boolean;
  /** The specifier as written. */
  spec: string;
  /**
   * For a relative specifier: the package its target lies in, or null when it lies outside
   * every package. Unused for other specifiers.
   */
  relativeTarget?: string | null;
}

const SLUICE_SPEC = /^(@sluice\/[^/]+)(\/.*)?$/;

/** Why `edge` breaks the rules, or null when it keeps them. Imports of npm packages and Node built-ins are not judged here. */
export function importProblem(edge: SourceImport, table = LAYERING): string | null {
  const where = `${edge.file} imports '${edge.spec}'`;
  if (edge.spec.startsWith('.')) {
    if (edge.relativeTarget === edge.from) return null;
    if (edge.relativeTarget === null || edge.relativeTarget === undefined) return `${where}: a path outside its package`;
    return `${where}: a path into ${edge.relativeTarget}; import '${edge.relativeTarget}' (its index) instead`;
  }
  const match = SLUICE_SPEC.exec(edge.spec);
  if (!match) return null;
  const target = match[1] as string;
  if (match[2] !== undefined) return `${where}: reaches inside ${target}; import '${target}' (its index) instead`;
  if (target === edge.from) return `${where}: its own package; use a relative path`;
  const allowed = allowedImports(edge.from, edge.isTest, table);
  if (allowed === null) return `${edge.from} is not in the layering table (scripts/layering.ts): add it with the packages it may import`;
  if (!(target in table)) return `${where}: ${target} is not in the layering table (scripts/layering.ts)`;
  if (allowed.has(target)) return null;
  return `${where}: ${edge.from} may not depend on ${target} (${describe(edge.from, edge.isTest, table)})`;
}

/**
 * Problems with the `@sluice/*` dependencies a manifest declares: `dependencies` follow the
 * production rule; `devDependencies` may also name the test imports.
 */
export function manifestProblems(
  name: string,
  manifest: { dependencies?: Record<string, string>; devDependencies?: Record<string, string> },
  table = LAYERING,
): string[] {
  const problems: string[] = [];
  const check = (deps: Record<string, string> | undefined, isTest: boolean, field: string) => {
    for (const dep of Object.keys(deps ?? {}).filter((d) => d.startsWith('@sluice/'))) {
      const allowed = allowedImports(name, isTest, table);
      if (allowed === null) {
        problems.push(`${name} is not in the layering table (scripts/layering.ts): add it with the packages it may import`);
        return;
      }
      if (!allowed.has(dep))
        problems.push(`${name} declares ${dep} in ${field}, but may not depend on it (${describe(name, isTest, table)})`);
    }
  };
  check(manifest.dependencies, false, 'dependencies');
  check(manifest.devDependencies, true, 'devDependencies');
  return problems;
}

function describe(from: string, isTest: boolean, table: typeof LAYERING): string {
  if (table[from] === EVERYTHING) return 'a top-level consumer';
  const allowed = [...(allowedImports(from, isTest, table) ?? [])];
  return allowed.length === 0 ? 'it may import no workspace package' : `it may import ${allowed.join(', ')}`;
}
