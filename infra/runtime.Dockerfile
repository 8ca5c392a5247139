# syntax=docker/dockerfile:1
# The toolbridge runtime: Node 20 serving gRPC, gRPC-Web and Connect on one port (50051), with a
# pool of Python 3 worker processes running the repository's python/ package and its example tools
# (runtime-node/examples, TypeScript example tools, is built too: --ts-module runtime-node/dist/examples/...).
#
#   docker build -f infra/runtime.Dockerfile -t toolbridge-runtime:0.1.0 .
#   docker run --rm -p 50051:50051 -e TOOLBRIDGE_RUNTIME_KEY=<16+ characters> toolbridge-runtime:0.1.0
#
# Build context: the repository root; runtime.Dockerfile.dockerignore keeps it to what is copied.

# The workspace manifests, shared by the two install stages.
FROM node:20-bookworm-slim AS manifests
WORKDIR /app
COPY package.json package-lock.json ./
COPY proto/package.json proto/
COPY runtime-node/package.json runtime-node/
COPY gateway/package.json gateway/

# Compiles proto and runtime-node (tsc is a root devDependency). No install scripts: tsc needs none.
FROM manifests AS build
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.base.json ./
COPY proto/ proto/
COPY runtime-node/ runtime-node/
RUN npx tsc -b runtime-node

# Production dependencies only.
FROM manifests AS deps
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:20-bookworm-slim
# python3 (3.11 on bookworm) for the workers: standard library only, no pip. tini as PID 1 reaps
# processes that tools start and leave behind, and passes SIGTERM on (the runtime then drains).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production PYTHONDONTWRITEBYTECODE=1
COPY --from=deps /app/package.json ./
COPY --from=deps /app/node_modules/ node_modules/
COPY --from=build /app/proto/package.json proto/
COPY --from=build /app/proto/dist/ proto/dist/
COPY --from=build /app/runtime-node/package.json runtime-node/
COPY --from=build /app/runtime-node/dist/ runtime-node/dist/
# The runtime finds python/ by walking up from runtime-node/dist: the toolbridge package, and the
# example tools it serves by default (--module examples).
COPY python/toolbridge/ python/toolbridge/
COPY python/examples/ python/examples/
# The base image's unprivileged user (uid 1000); nothing under /app is writable by it.
USER node
EXPOSE 50051
ENTRYPOINT ["/usr/bin/tini", "--"]
# The key comes from TOOLBRIDGE_RUNTIME_KEY (without it the runtime makes one and prints it); with
# TOOLBRIDGE_GATEWAY_URL and TOOLBRIDGE_PUBLIC_URL it registers itself with the gateway.
CMD ["node", "runtime-node/dist/src/main.js", "--host", "0.0.0.0", "--port", "50051"]
