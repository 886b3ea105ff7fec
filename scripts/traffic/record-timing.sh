#!/usr/bin/env bash
# Records the exchange-timing fixtures (issue 24) with tcpdump inside a private network
# namespace whose loopback has MTU 1500 and TSO/GSO/GRO off (as record.sh does):
#   test/captures/timing-h1-delay.pcap   a server that waits 100 ms before answering (HTTP/1.1)
#   test/captures/timing-h2-delay.pcap   the same over prior-knowledge h2c, 4 streams + 1 cancelled
#   test/captures/timing-h1-loss.pcap    segments captured but dropped on delivery (the client's
#                                        address taken off lo for 100 ms, timing.mjs), then retransmitted
# This kernel has no netem (sch_netem), nor tc's drop action: the drop is made by the address.
#
#   scripts/traffic/record-timing.sh [outdir]        (as root; default test/captures)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
outdir=${1:-$here/../../test/captures}

record() { # <mode> <port> <out> [netem args...]
  local mode=$1 port=$2 out=$3; shift 3
  local ns=tracecap-timing-$$ tmp; tmp=$(mktemp -d)
  trap "ip netns del $ns 2>/dev/null || true" EXIT
  ip netns add "$ns"
  ip netns exec "$ns" ip link set lo up mtu 1500
  ip netns exec "$ns" ethtool -K lo tso off gso off gro off >/dev/null
  if [ $# -gt 0 ]; then ip netns exec "$ns" tc qdisc add dev lo root netem "$@"; fi
  ip netns exec "$ns" tcpdump -i lo -s 0 -U --immediate-mode -Z root -w "$tmp/cap.pcap" "tcp port $port" 2>"$tmp/tcpdump.err" &
  local pid=$!
  for _ in $(seq 50); do grep -q 'listening on' "$tmp/tcpdump.err" 2>/dev/null && break; sleep 0.1; done
  sleep 0.3
  ip netns exec "$ns" node "$here/timing.mjs" "$mode" "$port"
  sleep 1
  kill -INT "$pid"; wait "$pid" || true
  ip netns del "$ns"
  cp "$tmp/cap.pcap" "$out"; rm -rf "$tmp"
}

record h1-delay 18201 "$outdir/timing-h1-delay.pcap"
record h2-delay 18202 "$outdir/timing-h2-delay.pcap"
# The loss capture: two namespaces joined by a veth pair, captured on the client's side.
lossy() {
  local out=$1 a=tracecap-tla-$$ b=tracecap-tlb-$$ tmp; tmp=$(mktemp -d)
  trap "ip netns del $a 2>/dev/null || true; ip netns del $b 2>/dev/null || true" EXIT
  ip netns add "$a"; ip netns add "$b"
  ip link add tca netns "$a" type veth peer name tcb netns "$b"
  ip netns exec "$a" ip addr add 10.9.0.1/24 dev tca; ip netns exec "$b" ip addr add 10.9.0.2/24 dev tcb
  for n in "$a:tca" "$b:tcb"; do
    ip netns exec "${n%%:*}" ip link set "${n#*:}" up mtu 1500
    ip netns exec "${n%%:*}" ethtool -K "${n#*:}" tso off gso off gro off >/dev/null
  done
  ip netns exec "$a" tcpdump -i tca -s 0 -U --immediate-mode -Z root -w "$tmp/cap.pcap" "tcp port 18203" 2>"$tmp/tcpdump.err" &
  local pid=$!
  for _ in $(seq 50); do grep -q 'listening on' "$tmp/tcpdump.err" 2>/dev/null && break; sleep 0.1; done
  ip netns exec "$b" node "$here/timing.mjs" h1-loss-server 18203 "$a" >"$tmp/server.out" &
  local spid=$!
  for _ in $(seq 50); do grep -q listening "$tmp/server.out" 2>/dev/null && break; sleep 0.1; done
  ip netns exec "$a" node "$here/timing.mjs" h1-loss-client 18203
  wait "$spid"
  sleep 1
  kill -INT "$pid"; wait "$pid" || true
  ip netns del "$a"; ip netns del "$b"
  cp "$tmp/cap.pcap" "$out"; rm -rf "$tmp"
}
lossy "$outdir/timing-h1-loss.pcap"
echo "timing-h1-loss.pcap: $(tshark -r "$outdir/timing-h1-loss.pcap" -Y tcp.analysis.retransmission 2>/dev/null | wc -l) segments tshark flags as retransmitted" >&2
ls -l "$outdir"/timing-*.pcap
