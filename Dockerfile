# syntax=docker/dockerfile:1
# tracecap as a Cloud Run sidecar, a drop-in for pcap-sidecar: it reads pcap-sidecar's
# environment (PCAP_IFACE, PCAP_FILTER, ... see README "As a Cloud Run sidecar") and writes one
# JSON record per packet to stdout, which Cloud Run sends to Cloud Logging, and the packets to
# rotated pcap files in PCAP_TMP, gzipped and moved into PCAP_DIR (a mounted bucket).
#
#   docker build -t tracecap .
#   docker run --rm --net=host --cap-add=NET_RAW -e PCAP_IFACE=eth tracecap
#   docker run --rm -i tracecap - < capture.pcap            # a capture on standard input
#
# Not built where it was written (that machine cannot pull base images): the runtime stage
# installs the tarball `npm pack` makes, and test/package.test.ts installs that same tarball
# into an empty directory and runs it (a file, standard input, the threads, the app, WASI).

# Node 24 is the active LTS (Node 20 ended in April 2026); bookworm's packages are checked.
ARG NODE_VERSION=24

# ---- build: the wasm core, the TypeScript hosts, the bundles, and the package tarball ---------
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
# Dependencies first, so a source change does not reinstall them. The optional native `pcap`
# addon is not needed to build; the runtime stage builds it for its own Node.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --omit=optional
COPY . .
RUN npm run build && npm pack --ignore-scripts && mv tracecap-*.tgz /tracecap.tgz

# ---- runtime: Node, tcpdump/libpcap, and the package installed from its tarball ---------------
FROM node:${NODE_VERSION}-bookworm-slim
# tcpdump is one capture engine and compiles filter expressions; libpcap0.8 is the other
# engine's library; tini is PID 1 so that SIGTERM and SIGUSR1 (the trigger ring) reach node and
# tcpdump children are reaped; libcap2-bin gives setcap, used once below.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tcpdump libpcap0.8 tini libcap2-bin \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /tracecap.tgz /tmp/tracecap.tgz
# The same tarball as test/package.test.ts installs: bin, dist, build/*.wasm, build/runtimes,
# build/app and scripts/run-wasi.mjs, with its dependencies. The optional `pcap` addon (the
# libpcap engine) is compiled against this image's Node headers with a toolchain that is
# removed in the same layer; if it does not build, npm goes on without it (tcpdump then).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ libpcap-dev \
 && npm_config_nodedir=/usr/local npm install -g --no-audit --no-fund --allow-scripts=pcap /tmp/tracecap.tgz \
 && apt-get purge -y --auto-remove python3 make g++ libpcap-dev \
 && rm -rf /var/lib/apt/lists/* /tmp/tracecap.tgz /root/.npm /root/.cache \
 && tracecap --help > /dev/null
# Capture without root: tcpdump carries CAP_NET_RAW as a file capability, so the unprivileged
# `node` user captures with it when the container has NET_RAW (Docker's default set has it;
# `--cap-add NET_RAW` where it was dropped; NET_ADMIN is not needed). As that user the CLI
# picks the tcpdump engine (the in-process libpcap engine needs the capability in node itself,
# so it is used when the container runs as root: `--user root`).
RUN setcap cap_net_raw+ep /usr/bin/tcpdump \
 && apt-get purge -y --auto-remove libcap2-bin \
 && rm -rf /var/lib/apt/lists/*
# pcap-sidecar's PCAP_TMP: the pcap (and JSON) files are written here before they are gzipped
# and moved into PCAP_DIR; the user must be able to write it (mount a sized in-memory volume here).
RUN mkdir -p /pcap-tmp && chown node:node /pcap-tmp
USER node
WORKDIR /home/node
# TRACECAP_SIDECAR=1: a live command line (the default: none) takes pcap-sidecar's PCAP_*
# environment for what it does not say itself; one that reads a file or standard input, `app`
# or --help takes none of it. PCAP_HC_PORT (12345) accepts connections once the capture runs:
# Cloud Run's startup probe.
ENV NODE_ENV=production TRACECAP_SIDECAR=1
EXPOSE 12345
ENTRYPOINT ["/usr/bin/tini", "--", "tracecap"]
