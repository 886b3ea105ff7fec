#!/usr/bin/env bash
# Records one scenario of scenarios.mjs with tcpdump inside a private network namespace whose
# loopback has MTU 1500 and TSO/GSO/GRO off, so responses are really cut into <=1500-byte
# segments (checksum offload is fixed "on" for lo, so TCP checksums in the file are not valid).
# The scenario's ground truth is merged into manifest.json next to the capture (or $MANIFEST).
#
#   scripts/traffic/record.sh <scenario> <port> <out.pcap>        (as root)
#
# e.g. scripts/traffic/record.sh h1-pipeline 8080 test/captures/h1-pipeline.pcap
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -ne 3 ]; then echo "usage: $0 <scenario> <port> <out.pcap>" >&2; exit 1; fi
scenario=$1 port=$2 out=$3
outdir=$(cd "$(dirname "$out")" && pwd)
name=$(basename "$out")
manifest=${MANIFEST:-$outdir/manifest.json}

ns=tracecap-rec-$$
tmp=$(mktemp -d)
tcpdump_pid=
cleanup() {
  if [ -n "$tcpdump_pid" ]; then kill -INT "$tcpdump_pid" 2>/dev/null || true; wait "$tcpdump_pid" 2>/dev/null || true; fi
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

ip netns add "$ns"
ip netns exec "$ns" ip link set lo up mtu 1500
ip netns exec "$ns" ethtool -K lo tso off gso off gro off >/dev/null

# -Z root: Debian's tcpdump otherwise drops to user tcpdump before opening the output file.
# --immediate-mode: without it, packets still in the last (up to 1 s) ring-buffer block are lost
# when tcpdump is stopped, silently (not even counted as dropped).
ip netns exec "$ns" tcpdump -i lo -s 0 -U --immediate-mode -Z root -w "$tmp/cap.pcap" "tcp port $port" 2>"$tmp/tcpdump.err" &
tcpdump_pid=$!
for _ in $(seq 50); do grep -q 'listening on' "$tmp/tcpdump.err" 2>/dev/null && break; sleep 0.1; done
sleep 0.3

ip netns exec "$ns" node "$here/scenarios.mjs" "$scenario" "$port" "$tmp/exchanges.json"
sleep 1
kill -INT "$tcpdump_pid"; wait "$tcpdump_pid" || true; tcpdump_pid=
grep -E 'packets (captured|dropped)' "$tmp/tcpdump.err" | sed "s/^/$name: /" >&2 || true

cp "$tmp/cap.pcap" "$out"
node "$here/manifest.mjs" "$manifest" "$name" "$tmp/exchanges.json" \
  "recordedWith=scripts/traffic/record.sh $scenario $port test/captures/$name" \
  "recordedAt=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
