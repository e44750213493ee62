# syntax=docker/dockerfile:1
# One image recipe for every service, chosen by build arguments. Build from the repository root:
# npm run docker:build:<gateway|auth|messaging>, e.g. for auth
# docker build -f Dockerfile --build-arg SERVICE_DIR=subgraphs/auth --build-arg PORT_VARIABLE=AUTH_PORT --build-arg PORT=4001 -t aetherconnect/auth .
ARG NODE_IMAGE=node:24-slim
# The service's workspace folder: gateway, subgraphs/auth or subgraphs/messaging.
ARG SERVICE_DIR=gateway
# The variable that sets its HTTP port, and the port it listens on without it (for HEALTHCHECK).
ARG PORT_VARIABLE=GATEWAY_PORT
ARG PORT=4000

# Compile with every dev dependency: tsc -b builds common, then the service.
FROM ${NODE_IMAGE} AS build
ARG SERVICE_DIR
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY common/package.json common/
COPY gateway/package.json gateway/
COPY subgraphs/auth/package.json subgraphs/auth/
COPY subgraphs/messaging/package.json subgraphs/messaging/
COPY clients/web/package.json clients/web/
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY common/ common/
COPY ${SERVICE_DIR}/ ${SERVICE_DIR}/
RUN npx tsc -b ${SERVICE_DIR}

# Production dependencies of the service (and of @aether/common, which it links) only.
FROM ${NODE_IMAGE} AS deps
ARG SERVICE_DIR
WORKDIR /app
COPY package.json package-lock.json ./
COPY common/package.json common/
COPY gateway/package.json gateway/
COPY subgraphs/auth/package.json subgraphs/auth/
COPY subgraphs/messaging/package.json subgraphs/messaging/
COPY clients/web/package.json clients/web/
RUN npm ci --omit=dev --workspace ${SERVICE_DIR} --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE_DIR
ARG PORT_VARIABLE
ARG PORT
ENV NODE_ENV=production NODE_OPTIONS=--enable-source-maps HEALTH_PORT_VARIABLE=${PORT_VARIABLE} HEALTH_DEFAULT_PORT=${PORT}
WORKDIR /app
COPY --from=deps /app ./
COPY --from=build /app/common/dist common/dist
COPY --from=build /app/${SERVICE_DIR}/dist ${SERVICE_DIR}/dist
# Read at run time: a subgraph's SDL (next to dist/, see AUTH_SCHEMA_PATH and MESSAGING_SCHEMA_PATH;
# the TypeScript beside it is what the source maps point to) and, relative to the repository root
# (repoRoot in common/src/config.ts), the gRPC contract and the supergraph the gateway serves.
COPY ${SERVICE_DIR}/src/ ${SERVICE_DIR}/src/
COPY proto/ proto/
COPY schema/supergraph.graphql schema/
USER node
WORKDIR /app/${SERVICE_DIR}
EXPOSE ${PORT}
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env[process.env.HEALTH_PORT_VARIABLE] || process.env.HEALTH_DEFAULT_PORT) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]
