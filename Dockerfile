# Image for sluice workers and commands. Build: docker build -t sluice .
FROM node:20-bookworm
# pnpm pinned like package.json's packageManager; corepack on Node 20 rejects pnpm's signatures.
RUN npm install -g pnpm@12.4.2
WORKDIR /app
COPY . .
RUN pnpm install --frozen-lockfile
ENV SLUICE_DB=/data/sluice.db
ENTRYPOINT ["node", "node_modules/.bin/tsx", "apps/cli/src/main.ts"]
CMD ["--help"]
