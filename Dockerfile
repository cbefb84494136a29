# syntax=docker/dockerfile:1
# clipgen's production image: the worker by default (`node lib/src/cli.js worker`), the simulator in docker-compose.yml.
#   docker build -t clipgen .      docker run --env-file .env clipgen
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY simulator ./simulator
COPY supabase ./supabase
# `npm ci` runs `prepare` (= `npm run build`): lib/src and lib/simulator, and the workflow bundle production workers
# load, lib/src/workflow-bundle.js. Then the dev dependencies (TypeScript, webpack's users, Jest) go.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    CLIPGEN_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/lib ./lib
COPY --from=build /app/bin ./bin
COPY --from=build /app/supabase ./supabase
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
# Exit 0 while Temporal answers for the namespace and the Postgres ledger is migrated (clipgen health --help).
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
  CMD ["node", "lib/src/cli.js", "health", "--timeout", "5"]
CMD ["node", "lib/src/cli.js", "worker"]
