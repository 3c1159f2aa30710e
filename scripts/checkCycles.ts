/**
 * `pnpm cycles`: fails on circular imports between source files, on cycles between workspace
 * packages, and on imports that reach into another package's `src/` instead of its index.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(__dirname, '..');
const IMPORT = /(?:from\s+|import\s*\(\s*|require\(\s*)['"]([^'"]+)['"]/g;

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(full);
    return /\.ts$/.test(name) && !/\.test\.ts$/.test(name) ? [full] : [];
  });
}

function resolveRelative(from: string, spec: string): string | null {
  const base = resolve(dirname(from), spec);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

const workspaces = ['apps', 'packages'].flatMap((top) =>
  readdirSync(join(root, top))
    .map((name) => join(root, top, name))
    .filter((d) => existsSync(join(d, 'package.json'))),
);
const problems: string[] = [];
const graph = new Map<string, string[]>();
for (const ws of workspaces) {
  for (const file of sourceFiles(join(ws, 'src'))) {
    const edges: string[] = [];
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = match[1] as string;
      if (spec.startsWith('.')) {
        const target = resolveRelative(file, spec);
        if (target) edges.push(target);
      } else if (/^@sluice\/[^/]+\/src/.test(spec)) {
        problems.push(`${relative(root, file)} reaches into ${spec}; import the package's index instead`);
      }
    }
    graph.set(file, edges);
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
for (const ws of workspaces) {
  const manifest = JSON.parse(readFileSync(join(ws, 'package.json'), 'utf8'));
  packageDeps.set(
    manifest.name,
    Object.keys({ ...manifest.dependencies }).filter((d) => d.startsWith('@sluice/')),
  );
}
findCycles(packageDeps, (n) => n);

if (problems.length > 0) {
  process.stderr.write(`${problems.join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(`no import cycles in ${graph.size} files of ${workspaces.length} packages\n`);
