#!/usr/bin/env bash
# Records two real CARP advertisements from UCarp (apt: ucarp, tcpdump) into
# ucarp-vhid7.pcap, for PFSyncCARPTests. Needs root (network namespaces).
# UCarp: vhid 7, password "pfsyncd-carp", VIP 10.77.0.100, source 10.77.0.1, advbase 1,
# advskew 20, interface carp0 in namespace A; tcpdump listens on the peer end in B.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
A=carpfix-a-$$; B=carpfix-b-$$
work=$(mktemp -d)
cleanup() {
    [[ -n "${ucarp_pid:-}" ]] && kill "$ucarp_pid" 2>/dev/null || true
    ip netns del "$A" 2>/dev/null || true
    ip netns del "$B" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$A"; ip netns add "$B"
ip link add carp0 netns "$A" type veth peer name carp1 netns "$B"
ip -n "$A" addr add 10.77.0.1/24 dev carp0; ip -n "$A" link set carp0 up; ip -n "$A" link set lo up
ip -n "$B" addr add 10.77.0.2/24 dev carp1; ip -n "$B" link set carp1 up; ip -n "$B" link set lo up
printf '#!/bin/sh\nexit 0\n' > "$work/noop.sh"; chmod +x "$work/noop.sh"
ip netns exec "$B" tcpdump -i carp1 -U -c 2 -w "$work/out.pcap" 'ip proto 112' 2>/dev/null &
dump_pid=$!
sleep 1
ip netns exec "$A" ucarp -i carp0 -s 10.77.0.1 -v 7 -p pfsyncd-carp -a 10.77.0.100 -b 1 -k 20 \
    -u "$work/noop.sh" -d "$work/noop.sh" >/dev/null 2>&1 &
ucarp_pid=$!
wait "$dump_pid"
cp "$work/out.pcap" "$here/ucarp-vhid7.pcap"
echo "wrote $here/ucarp-vhid7.pcap"
