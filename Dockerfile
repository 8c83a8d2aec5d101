# The massline image: one image for the API and the worker (docker-compose.yml picks the command).
# Build: docker build -t massline .
# Node.js 24 LTS (massline runs on 22 and 24).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json .swcrc ./
COPY apps ./apps
COPY libs ./libs
COPY workflows ./workflows
COPY activities ./activities
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    MASSLINE_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The office token and the API's state are private to the user that runs massline.
RUN mkdir -p /data && chown node:node /data && chmod 700 /data
USER node
# The API on 3000; a worker exports the engine's metrics for Prometheus on 9464 (MASSLINE_WORKER_METRICS_PORT).
EXPOSE 3000 9464
# The API by default; the worker runs `node dist/apps/worker/src/main.js`.
CMD ["node", "dist/apps/api/src/main.js"]
