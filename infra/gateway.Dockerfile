# syntax=docker/dockerfile:1
# The toolbridge gateway on Node: Connect (binary and JSON) and gRPC-Web on HTTP/1.1 and h2c, REST
# and SSE, on port 8080. Sessions, variables, the runtime registry and API keys live in Redis
# (TOOLBRIDGE_REDIS_URL) or Upstash (UPSTASH_REDIS_REST_URL and _TOKEN); without either, in memory.
#
#   docker build -f infra/gateway.Dockerfile -t toolbridge-gateway:0.1.0 .
#   docker run --rm -p 8080:8080 -e TOOLBRIDGE_RUNTIME_KEY=... -e TOOLBRIDGE_API_KEYS=... toolbridge-gateway:0.1.0
#
# Build context: the repository root; gateway.Dockerfile.dockerignore keeps it to what is copied.

# The workspace manifests, shared by the two install stages.
FROM node:20-bookworm-slim AS manifests
WORKDIR /app
COPY package.json package-lock.json ./
COPY proto/package.json proto/
COPY runtime-node/package.json runtime-node/
COPY gateway/package.json gateway/

# Compiles proto and the gateway (tsc is a root devDependency). No install scripts: tsc needs none.
FROM manifests AS build
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.base.json ./
COPY proto/ proto/
COPY gateway/ gateway/
RUN npx tsc -b gateway

# Production dependencies only.
FROM manifests AS deps
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/package.json ./
COPY --from=deps /app/node_modules/ node_modules/
COPY --from=build /app/proto/package.json proto/
COPY --from=build /app/proto/dist/ proto/dist/
COPY --from=build /app/gateway/package.json gateway/
COPY --from=build /app/gateway/dist/ gateway/dist/
USER node
EXPOSE 8080
ENTRYPOINT ["/usr/bin/tini", "--"]
# Keys come from the environment (TOOLBRIDGE_RUNTIME_KEY, TOOLBRIDGE_API_KEYS); see --help.
CMD ["node", "gateway/dist/src/main.js", "--host", "0.0.0.0", "--port", "8080"]
