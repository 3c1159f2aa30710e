# Image for sluice workers and commands: the bundled CLI (one file) with its native dependencies,
# run by node as an unprivileged user. Build: docker build -t sluice .
# test/image.int.test.ts runs this image's entry command from a production install made alike.

# The files that decide the dependency install, copied out so that the install layer of the
# build stage is reused until one of them changes: a source edit does not invalidate it.
FROM node:20-bookworm AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && find . -maxdepth 3 -name node_modules -prune -o \
      \( -name package.json -o -name pnpm-lock.yaml -o -name pnpm-workspace.yaml -o -name .npmrc \) -print \
    | xargs cp --parents --target-directory=/manifests

FROM node:20-bookworm AS build
# pnpm pinned like package.json's packageManager; corepack on Node 20 rejects pnpm's signatures.
RUN npm install -g pnpm@12.4.2
# Where better-sqlite3 finds no prebuilt binary it compiles, against this image's Node headers
# (node-gyp would otherwise download them).
ENV npm_config_nodedir=/usr/local
WORKDIR /src
COPY --from=manifests /manifests/ ./
RUN pnpm install --frozen-lockfile
# The production install: only the packages the bundle leaves external, at the versions the
# workspace just installed from the lockfile.
COPY apps/cli/scripts/externals.cjs apps/cli/scripts/runtimePackage.cjs apps/cli/scripts/
RUN node apps/cli/scripts/runtimePackage.cjs /runtime \
 && cd /runtime && npm install --omit=dev --no-package-lock --no-audit --no-fund
COPY . .
RUN pnpm build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
ENV SLUICE_DB=/data/sluice.db
WORKDIR /app
COPY --from=build /runtime/ ./
# The store finds migrations/ by walking up from the bundle (dist/ → /app/migrations).
COPY migrations ./migrations
COPY --from=build /src/apps/cli/dist/sluice.cjs ./dist/sluice.cjs
# The ledger volume belongs to the user the commands run as (a new named volume takes it over).
RUN mkdir -p /data && chown node:node /data
USER node
ENTRYPOINT ["node", "/app/dist/sluice.cjs"]
CMD ["--help"]
