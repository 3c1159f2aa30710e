#!/usr/bin/env bash
# Runs the README's first command (the first line of its first ```sh block), exactly as
# written, in a fresh clone of HEAD with an empty pnpm store and cache, without
# npm_config_nodedir: a warm store or a set-up build environment would hide an install that
# fails on a new user's machine. Needs Redis on 127.0.0.1:6379, like the quickstart itself.
set -euo pipefail
cd "$(dirname "$0")/../.."

command=$(awk '/^```sh$/ { inside = 1; next } /^```$/ { if (inside) exit } inside { print; exit }' README.md)
[ -n "$command" ] || { echo "readmeQuickstart: no \`\`\`sh block in README.md" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone --quiet . "$work/clone"
mkdir -p "$work/data" "$work/cache"
echo "readmeQuickstart: running \`$command\` in a fresh clone with an empty pnpm store"
(
  cd "$work/clone"
  unset npm_config_nodedir NPM_CONFIG_NODEDIR
  export XDG_DATA_HOME="$work/data" XDG_CACHE_HOME="$work/cache"
  bash -c "$command"
)
echo "readmeQuickstart: ok"
