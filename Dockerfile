# dralloc as a container image, for deploy/scheduler.yaml (`docker build -t dralloc:0.1.0 .`).
# Build stage: `npm ci` installs everything and runs `prepare` (WASM solver + JS into build/),
# then the dev dependencies are dropped. Runtime stage: Node 20 (the oldest Node dralloc supports,
# see README), the built package and its runtime dependencies only, as the unprivileged user node.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json asconfig.json ./
COPY assembly ./assembly
COPY src ./src
# @kubernetes/client-node is an optional peer of the package (embedders of the engine skip it); the
# image runs the live scheduler, so it becomes a runtime dependency here before the dev ones go.
RUN npm ci --no-audit --no-fund \
 && npm pkg set "dependencies[@kubernetes/client-node]=$(npm pkg get 'devDependencies[@kubernetes/client-node]' | tr -d '"')" \
 && npm pkg delete 'devDependencies[@kubernetes/client-node]' \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/build ./build
USER node
# Every dralloc command; the Deployment passes `scheduler --scheduler-name ... --in-cluster`.
ENTRYPOINT ["node", "/app/build/js/cli/main.js"]
CMD ["help"]
