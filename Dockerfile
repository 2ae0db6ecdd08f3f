# issue-sync on Node 24 LTS. Build: docker build -t issue-sync .
# Run:   docker run -p 3000:3000 -e DATABASE_URL=postgresql://… -e ENCRYPTION_KEY=… issue-sync
# Without DATABASE_URL the container runs an embedded PostgreSQL under /data (mount a volume there).

FROM node:24-bookworm-slim AS build
WORKDIR /app
ENV npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts ./
# postinstall generates the Prisma client into src/generated, and skips the build: src/ is not here yet.
COPY bin ./bin
RUN npm ci
COPY tsconfig.json ./
COPY src ./src
# esbuild compiles src/ to dist/ (bin/build-dist.js); the image has no src/, so bin runs dist/ as it is.
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production ISSUE_SYNC_DATA_DIR=/data PORT=3000
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY prisma ./prisma
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "--max-old-space-size=1024", "bin/issue-sync.js"]
CMD ["serve"]
