# Build: install everything, generate the Prisma client, compile.
FROM node:20-slim AS build
# The native kernels (npm's postinstall compiles native/kernels: a C compiler is all they need; without one the
# prebuilt binary in native/prebuilt serves on x64).
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/build-native.js scripts/
COPY native native
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev && mkdir -p models

# Run: compiled code, production dependencies, the Prisma schema and migrations (applied at start-up).
FROM node:20-slim
ENV NODE_ENV=production DATA_DIR=/app/data MODELS_DIR=/app/models
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# the sources too: a binary runs only if it was built from the sources beside it (src/tensor/native-kernels.ts)
COPY --from=build /app/native/kernels/*.c /app/native/kernels/*.h /app/native/kernels/binding.gyp /app/native/kernels/source-hash.js ./native/kernels/
COPY --from=build /app/native/kernels/build/Release/native_kernels.node ./native/kernels/build/Release/
COPY --from=build /app/native/prebuilt ./native/prebuilt
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/models ./models
RUN mkdir -p /app/data && chown -R node:node /app/data /app/models
USER node
EXPOSE 3000
# Healthy = ready: the database answers and a model of each kind the chat offers is loaded (GET /health/ready).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# `node dist/database/migrate-cli.js deploy` applies migrations by hand; start-up does it too.
CMD ["node", "dist/main.js"]
