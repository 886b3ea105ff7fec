# syntax=docker/dockerfile:1
# tracecap as a Cloud Run sidecar, a drop-in for pcap-sidecar: it reads pcap-sidecar's
# environment (PCAP_IFACE, PCAP_FILTER, ... see README "As a Cloud Run sidecar") and writes one
# JSON record per packet to stdout, which Cloud Run sends to Cloud Logging.
#
#   docker build -t tracecap .
#   docker run --rm --net=host --cap-add=NET_RAW --cap-add=NET_ADMIN -e PCAP_IFACE=eth tracecap
#
# Written without being built: the machine it was written on cannot pull base images.

ARG NODE_VERSION=20

# ---- build: the wasm core, the TypeScript hosts and the CLI bundle ------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
# A C toolchain and libpcap headers, for a native libpcap binding among the production
# dependencies (the live-capture engine); the tracecap build itself needs only Node.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ libpcap-dev \
 && rm -rf /var/lib/apt/lists/*
# Dependencies first, so a source change does not reinstall them.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# Then only production dependencies are kept for the runtime stage (none today: the CLI is bundled).
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: Node, tcpdump/libpcap, and the built package ---------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim
# tcpdump is one capture engine, libpcap the other's library; tini is PID 1 so that SIGTERM and
# SIGUSR1 (the trigger ring) reach node and tcpdump children are reaped.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tcpdump libpcap0.8 tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# package.json is needed at run time: it makes dist/*.js ES modules ("type": "module").
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/bin ./bin
COPY --from=build /src/dist ./dist
COPY --from=build /src/build/tracecap.wasm ./build/tracecap.wasm
# TRACECAP_SIDECAR=1: bin/tracecap.js maps the PCAP_* environment to arguments; arguments given
# to the container (Cloud Run `args`) win over the environment. Capturing needs root (CAP_NET_RAW),
# which the container has by default.
ENV NODE_ENV=production TRACECAP_SIDECAR=1
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/tracecap.js"]
