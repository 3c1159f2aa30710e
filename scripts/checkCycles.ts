/**
 * `pnpm cycles` (run by `pnpm lint` and `pnpm test`): fails on circular imports between source
 * files, on cycles between workspace packages, and on any import or declared dependency that
 * breaks the layering in scripts/layering.ts: an upward import, an import between siblings,
 * an import into another package's `src/` (by name or by relative path).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { importProblem, isTestCode, manifestProblems, type SourceImport } from './layering';

const root = resolve(__dirname, '..');
const IMPORT = /(?:from\s+|import\s*\(\s*|require\(\s*|^import\s+)['"]([^'"]+)['"]/gm;
const SOURCE = /\.(ts|mts|cts|mjs|cjs)$/;

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return name === 'node_modules' || name === 'dist' ? [] : sourceFiles(full);
    return SOURCE.test(name) ? [full] : [];
  });
}

function resolveRelative(from: string, spec: string): string | null {
  const base = resolve(dirname(from), spec);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/** Workspace folders, from the `packages:` list of pnpm-workspace.yaml (`dir` or `dir/*` entries). */
function workspaceDirs(): string[] {
  const yaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const list = yaml.split(/^packages:\s*$/m)[1]?.split(/^\S/m)[0] ?? '';
  const entries = [...list.matchAll(/^\s+-\s+['"]?([^'"\s]+)['"]?\s*$/gm)].map((m) => m[1] as string);
  return entries
    .flatMap((entry) => {
      if (!entry.endsWith('/*')) return [join(root, entry)];
      const parent = join(root, entry.slice(0, -2));
      return existsSync(parent) ? readdirSync(parent).map((name) => join(parent, name)) : [];
    })
    .filter((dir) => existsSync(join(dir, 'package.json')));
}

const workspaces = workspaceDirs().map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }));
// Longest first, so a file belongs to the innermost workspace around it.
const byDepth = [...workspaces].sort((a, b) => b.dir.length - a.dir.length);
const packageOf = (path: string): string | null =>
  byDepth.find((ws) => path === ws.dir || path.startsWith(ws.dir + sep))?.manifest.name ?? null;

const problems: string[] = [];
const graph = new Map<string, string[]>();
let files = 0;
for (const { dir, manifest } of workspaces) {
  problems.push(...manifestProblems(manifest.name, manifest));
  for (const file of sourceFiles(dir)) {
    files++;
    const isTest = isTestCode(relative(dir, file).split(sep).join('/'));
    // The file-level cycle check covers the packages' production sources.
    const inCycleGraph = !isTest && relative(dir, file).split(sep)[0] === 'src';
    const edges: string[] = [];
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = match[1] as string;
      const edge: SourceImport = { file: relative(root, file), from: manifest.name, isTest, spec };
      if (spec.startsWith('.')) {
        edge.relativeTarget = packageOf(resolve(dirname(file), spec));
        const target = resolveRelative(file, spec);
        if (target && inCycleGraph) edges.push(target);
      }
      const problem = importProblem(edge);
      if (problem) problems.push(problem);
    }
    if (inCycleGraph) graph.set(file, edges);
  }
}

function findCycles(edges: Map<string, string[]>, label: (n: string) => string): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'visiting') {
        problems.push(`cycle: ${[...stack.slice(stack.indexOf(next)), next].map(label).join(' -> ')}`);
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of edges.keys()) if (!state.has(node)) visit(node);
}

findCycles(graph, (f) => relative(root, f));
const packageDeps = new Map<string, string[]>();
for (const { manifest } of workspaces) {
  packageDeps.set(
    manifest.name,
    Object.keys({ ...manifest.dependencies }).filter((d) => d.startsWith('@sluice/')),
  );
}
findCycles(packageDeps, (n) => n);

if (problems.length > 0) {
  process.stderr.write(`${[...new Set(problems)].join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(
  `no import cycles in ${graph.size} source files; ${files} files of ${workspaces.length} packages keep the layering (scripts/layering.ts)\n`,
);
