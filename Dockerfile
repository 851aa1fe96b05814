# Herald's container image. Multi-stage: the build stage installs everything and builds the
# dashboard; the runtime stage keeps production dependencies, the TypeScript sources (Node 24
# runs them directly) and the built dashboard, and runs as a non-root user.
#
#   docker build -t herald .
#   docker run -p 8080:8080 -v herald-data:/app/data herald
#
# (This image cannot be built on the development machines, which have no Docker engine; keep it
# in step with package.json, src/config.ts and deploy/docker-compose.yml.)

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the postinstall needs the sources, not copied yet (the runtime stage runs it).
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN npm run build:web

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=8080 \
    HOST=0.0.0.0 \
    DATA_DIR=/app/data
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only; the image's own Node 24 runs Herald (the `node` dev dependency
# that brings Node 24 to the development machines is not needed here).
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force
COPY --from=build /app/src ./src
COPY --from=build /app/bin ./bin
COPY --from=build /app/scripts ./scripts
COPY --from=build /app/web/dist ./web/dist
# The migrated embedded database a new data directory starts from (what the postinstall makes),
# and a compile cache directory the node user can write (see bin/herald.js).
RUN node scripts/prepare-pglite-template.ts \
  && mkdir -p node_modules/.cache/herald-compile && chown node:node node_modules/.cache/herald-compile
RUN mkdir -p /app/data && chown -R node:node /app/data
USER node
EXPOSE 8080
VOLUME ["/app/data"]
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "--max-semi-space-size=8", "--heap-growing-percent=50", "--liftoff-only", "bin/herald.js"]
CMD ["serve"]
