// The packages the bundle (dist/sluice.cjs) leaves to node_modules, in one place: the bundler
// marks them external and the production image installs exactly EXTERNALS (runtimePackage.cjs).
// Only packages that cannot be inlined belong here, each with the reason.
module.exports = {
  EXTERNALS: [
    // A native addon (a compiled .node file): it is loaded from its package directory.
    'better-sqlite3',
  ],
  // Left out of the bundle and never installed: optional modules a dependency tries to load and
  // does without.
  ABSENT: [
    // node-postgres's optional native binding (`pg` falls back to its JavaScript client).
    'pg-native',
  ],
};
