# issue-sync on Node 24 LTS. Build: docker build -t issue-sync .
# Run:   docker run --init -p 3000:3000 -e DATABASE_URL=postgresql://… -e ENCRYPTION_KEY=… issue-sync
# Without DATABASE_URL the container runs an embedded PostgreSQL under /data (mount a volume there).
# Two replicas behind one port, with PostgreSQL: compose.yaml. test/container/ checks this file.

FROM node:24-bookworm-slim AS build
WORKDIR /app
ENV npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts ./
# postinstall generates the Prisma client (TypeScript) into src/generated, and skips the build: src/
# is not here yet. .dockerignore keeps the checkout's src/generated out of the COPY below.
# tsconfig.json first: without it prisma generate writes imports ending in .ts, which dist/ cannot load.
COPY tsconfig.json ./
COPY bin ./bin
RUN npm ci
COPY src ./src
# esbuild compiles src/, the generated client included, to dist/ (bin/build-dist.js). Then production
# dependencies only: package.json loses its devDependencies first, otherwise npm keeps prisma,
# typescript and what they pull in (about 250 MB) as optional peers of @prisma/client.
RUN npm run build \
 && npm pkg delete devDependencies \
 && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production ISSUE_SYNC_DATA_DIR=/data PORT=3000
WORKDIR /app
# Owned by root: the service cannot change its own code. dist/db/migrate.js applies
# prisma/migrations at start; no src/ here, so bin/issue-sync.js runs dist/ as it is.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY prisma/migrations ./prisma/migrations
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "--max-old-space-size=1024", "bin/issue-sync.js"]
CMD ["serve"]
