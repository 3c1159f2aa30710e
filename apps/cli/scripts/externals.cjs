// The packages the bundle (dist/sluice.cjs) leaves to node_modules, in one place: the bundler
// marks them external and the production image installs exactly these (runtimePackage.cjs).
// Only packages that cannot be inlined belong here, each with the reason.
module.exports = {
  EXTERNALS: [
    // A native addon (a compiled .node file): it is loaded from its package directory.
    'better-sqlite3',
  ],
};
