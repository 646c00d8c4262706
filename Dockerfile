# syntax=docker/dockerfile:1
# The admin server (npm run admin) as an image: `docker compose --profile admin up -d` runs it beside
# Kafka and a PostgreSQL (docker-compose.yml). In a container it listens on 0.0.0.0, and the server
# refuses to listen off loopback without ADMIN_TOKEN: run it with -e ADMIN_TOKEN=<a long random string>
# and send `Authorization: Bearer <token>` with every API call.

# Build: every dependency (TypeScript, patch-package), the KafkaJS patches applied, the code compiled.
FROM node:22.20.0-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
# Scripts off: "prepare" would compile before the sources are copied; the patches are applied next.
RUN npm ci --ignore-scripts && npx patch-package
COPY tsconfig.json tsconfig.build.json ./
COPY kafka ./kafka
COPY producer ./producer
COPY consumer ./consumer
COPY shared ./shared
# tsconfig.build.json also names test/bench and test/faults; absent here, they are simply not built.
RUN npx tsc -p tsconfig.build.json

# Runtime: production dependencies only, the compiled code and the dashboard's pages, not root.
FROM node:22.20.0-bookworm-slim AS runtime
ENV NODE_ENV=production \
    ADMIN_HOST=0.0.0.0 \
    ADMIN_PORT=8080 \
    ADMIN_STATE_FILE=/data/state.json \
    OUTPUT_DIR=/data/output \
    LOG_FORMAT=json
WORKDIR /app
COPY package.json package-lock.json ./
# patch-package is a dev dependency, so the postinstall can't run here; the patched KafkaJS comes
# from the build stage instead (its patches are what make lag and static assignment correct).
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/node_modules/kafkajs ./node_modules/kafkajs
COPY --from=build /app/dist ./dist
COPY consumer/admin/pages ./consumer/admin/pages
RUN mkdir -p /data/output && chown -R node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
# /healthz needs no token; the slim image has no curl, so Node asks (Host 127.0.0.1: keep it in
# ADMIN_ALLOWED_HOSTS if you set that).
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.ADMIN_PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/consumer/admin/cli.js"]
