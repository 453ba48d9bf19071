#!/usr/bin/env bash
# The pfsyncd lab: a real HA topology in network namespaces on this machine.
#
#   client --LAN-- [fw1 primary] [fw2 backup] --WAN-- server
#                       \___ SYNC link ___/
#
# LAN 10.10.1.0/24 (VIP 10.10.1.1, CARP vhid 1), WAN 10.10.2.0/24 (VIP 10.10.2.1, vhid 2),
# SYNC 10.10.9.0/24 (a dedicated veth between the firewalls). The client routes through the
# LAN VIP, the server through the WAN VIP. pfsyncd runs on both firewalls, tracking their LAN
# and WAN with libpcap and replicating over SYNC; CARP (pfsyncd's own) elects the master that
# holds both VIPs. nginx serves on the server; ab and rate-limited curl downloads load it.
#
# Usage (root): Tools/lab/lab.sh COMMAND [ARGS]   with LAB_ID=<short id> (default: "a") and
# PFSYNCD=<path to pfsyncd> (default: the release build, then the debug build).
#   up                 create namespaces, bridges, links, addresses, routes
#   start              start nginx and pfsyncd on both firewalls (waits for a master)
#   load SECONDS [N]   client load for SECONDS: ab (keep-alive off) + N slow curl downloads
#   kill-primary       SIGKILL pfsyncd on fw1 and take its links down: the box dies
#   ucarp-failover     the same failover with UCarp instead of pfsyncd's CARP: prints the
#                      seconds from killing the UCarp master to the VIP on fw2
#   stop-primary       SIGTERM pfsyncd on fw1 (graceful handover)
#   pause-primary / resume-primary    SIGSTOP / SIGCONT pfsyncd on fw1
#   cut-primary / heal-primary        take fw1's LAN+WAN+SYNC links down / up
#   restart-primary    start pfsyncd on fw1 again (it bulk-updates, then may preempt)
#   block-carp / unblock-carp         drop CARP (IP proto 112) arriving at fw2, as a firewall
#                      rule would (split brain: both master; fw1 sees fw2's adverts)
#   status             roles, VIP owners, table sizes, sessions-lost audit, as JSON lines
#   master             prints fw1 or fw2 (who holds the LAN VIP), or "none" / "both"
#   down               kill everything and delete the namespaces
# Everything lives under $LAB_DIR (default /tmp/pfsyncd-lab-$LAB_ID).
set -euo pipefail

LAB_ID="${LAB_ID:-a}"
P="pl${LAB_ID}-"
DIR="${LAB_DIR:-/tmp/pfsyncd-lab-$LAB_ID}"
NS_SW="${P}sw" NS_CL="${P}cl" NS_FW1="${P}fw1" NS_FW2="${P}fw2" NS_SV="${P}sv"
LAN_VIP=10.10.1.1 WAN_VIP=10.10.2.1
ADVBASE="${LAB_ADVBASE:-1}"
FLUSH_MS="${LAB_FLUSH_MS:-2}"
DELTA_UPDATES="${LAB_DELTA_UPDATES:-true}"
CARP_PASS="${LAB_CARP_PASS:-labsecret}"
# The interfaces each firewall's tracker captures. pf keeps one state per direction of a
# forwarded connection (in on LAN, out on WAN); pfsyncd's table holds one state per flow,
# so the lab tracks the LAN side (pf's "pass in on lan keep state"), which sees both
# directions of every client session. LAB_TRACK='"lan", "wan"' tracks both.
TRACK_INTERFACES="${LAB_TRACK:-\"lan\"}"

die() { echo "lab: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || die "needs root (network namespaces)"
in_ns() { local ns="$1"; shift; ip netns exec "$ns" "$@"; }

find_pfsyncd() {
    if [[ -n "${PFSYNCD:-}" ]]; then echo "$PFSYNCD"; return; fi
    local root; root="$(cd "$(dirname "$0")/../.." && pwd)"
    for candidate in "$root/.build/release/pfsyncd" "$root/.build/debug/pfsyncd"; do
        [[ -x "$candidate" ]] && { echo "$candidate"; return; }
    done
    die "no pfsyncd binary: build it (swift build -c release --product pfsyncd) or set PFSYNCD"
}

veth() { # ns1 if1 ns2 if2
    ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
    in_ns "$1" ip link set "$2" up
    in_ns "$3" ip link set "$4" up
    for side in "$1:$2" "$3:$4"; do
        in_ns "${side%%:*}" ethtool -K "${side#*:}" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
    done
}

cmd_up() {
    mkdir -p "$DIR"
    for ns in "$NS_SW" "$NS_CL" "$NS_FW1" "$NS_FW2" "$NS_SV"; do
        ip netns add "$ns"
        in_ns "$ns" ip link set lo up
    done
    in_ns "$NS_SW" ip link add br-lan type bridge
    in_ns "$NS_SW" ip link add br-wan type bridge
    in_ns "$NS_SW" ip link set br-lan up
    in_ns "$NS_SW" ip link set br-wan up
    veth "$NS_CL" eth0 "$NS_SW" cl
    veth "$NS_FW1" lan "$NS_SW" f1l
    veth "$NS_FW2" lan "$NS_SW" f2l
    veth "$NS_FW1" wan "$NS_SW" f1w
    veth "$NS_FW2" wan "$NS_SW" f2w
    veth "$NS_SV" eth0 "$NS_SW" sv
    veth "$NS_FW1" sync "$NS_FW2" sync
    for port in cl f1l f2l; do in_ns "$NS_SW" ip link set "$port" master br-lan; done
    for port in sv f1w f2w; do in_ns "$NS_SW" ip link set "$port" master br-wan; done

    in_ns "$NS_CL" ip addr add 10.10.1.10/24 dev eth0
    in_ns "$NS_CL" ip route add default via "$LAN_VIP"
    in_ns "$NS_SV" ip addr add 10.10.2.10/24 dev eth0
    in_ns "$NS_SV" ip route add 10.10.1.0/24 via "$WAN_VIP"
    local n=1
    for ns in "$NS_FW1" "$NS_FW2"; do
        in_ns "$ns" ip addr add "10.10.1.$((n + 1))/24" dev lan
        in_ns "$ns" ip addr add "10.10.2.$((n + 1))/24" dev wan
        in_ns "$ns" ip addr add "10.10.9.$n/24" dev sync
        in_ns "$ns" sysctl -qw net.ipv4.ip_forward=1
        in_ns "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0
        n=$((n + 1))
    done
    for ns in "$NS_CL" "$NS_SV"; do
        in_ns "$ns" sysctl -qw net.ipv4.conf.all.arp_accept=1
        in_ns "$ns" sysctl -qw net.ipv4.conf.eth0.arp_accept=1
        # Accept a gratuitous ARP right after another (default: ignored for 1 s), so two
        # quick role changes at start leave the neighbour entry on the final master.
        in_ns "$ns" sysctl -qw net.ipv4.neigh.eth0.locktime=0
    done
    head -c 32 /dev/urandom > "$DIR/sync.key"
    chmod 600 "$DIR/sync.key"
    echo "lab $LAB_ID up in $DIR"
}

write_config() { # name node_id sync_self sync_peer advskew
    cat > "$DIR/$1.toml" <<CONF
node_id = $2
[sync]
interface = "sync"
listen = "$3"
peer = "$4"
port = 8240
peer_port = 8240
key_file = "$DIR/sync.key"
flush_interval_ms = $FLUSH_MS
delta_updates = $DELTA_UPDATES
[capture]
interfaces = [$TRACK_INTERFACES]
[control]
socket = "$DIR/$1.sock"
[carp]
interface = "lan"
vhid = 1
vip = ["$LAN_VIP/24"]
advbase = $ADVBASE
advskew = $5
password = "$CARP_PASS"
preempt = true
virtual_hosts = ["vhid=2 interface=wan vip=$WAN_VIP/24"]
CONF
}

start_fw() { # name ns node_id sync_self sync_peer advskew
    local bin; bin="$(find_pfsyncd)"
    write_config "$1" "$3" "$4" "$5" "$6"
    rm -f "$DIR/$1.sock"
    # Not through in_ns: a backgrounded function is a subshell, and $! would be its pid.
    ip netns exec "$2" "$bin" run --config "$DIR/$1.toml" >> "$DIR/$1.log" 2>&1 &
    echo $! > "$DIR/$1.pid"
    for _ in $(seq 1 100); do
        [[ -S "$DIR/$1.sock" ]] && "$bin" status --socket "$DIR/$1.sock" >/dev/null 2>&1 && return 0
        kill -0 "$(cat "$DIR/$1.pid")" 2>/dev/null || die "pfsyncd on $1 exited: $(tail -5 "$DIR/$1.log")"
        sleep 0.1
    done
    die "pfsyncd on $1 did not answer on its control socket"
}

cmd_start() {
    mkdir -p "$DIR/www"
    head -c 64000000 /dev/zero > "$DIR/www/big.bin"
    echo "hello from the lab server" > "$DIR/www/index.html"
    cat > "$DIR/nginx.conf" <<CONF
worker_processes 1;
pid $DIR/nginx.pid;
error_log $DIR/nginx-error.log;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_timeout 30;
    server { listen 10.10.2.10:80; root $DIR/www; }
}
CONF
    in_ns "$NS_SV" nginx -c "$DIR/nginx.conf"
    start_fw fw1 "$NS_FW1" 1 10.10.9.1 10.10.9.2 0
    start_fw fw2 "$NS_FW2" 2 10.10.9.2 10.10.9.1 100
    # Settled: fw1 holds both VIPs and fw2 neither, twice a second apart. Both start
    # demoted until their bulk update is done, so fw2 may be master for a moment (and
    # announce the VIPs) before fw1 preempts; load started then would go half through
    # fw2 until the hosts follow fw1's announcements.
    for _ in $(seq 1 $((10 * (3 * ADVBASE + 5)))); do
        if settled_on_fw1; then
            sleep 1
            settled_on_fw1 && { echo "fw1 is master"; return 0; }
        fi
        sleep 0.1
    done
    echo "lab: no single master after $((3 * ADVBASE + 5)) s: $(cmd_master)" >&2
    return 1
}

has_vip() { in_ns "$1" ip -4 addr show dev lan | grep -q "inet $LAN_VIP/"; }
has_wan_vip() { in_ns "$1" ip -4 addr show dev wan | grep -q "inet $WAN_VIP/"; }
settled_on_fw1() {
    has_vip "$NS_FW1" && has_wan_vip "$NS_FW1" && ! has_vip "$NS_FW2" && ! has_wan_vip "$NS_FW2"
}

cmd_master() {
    local a=0 b=0
    has_vip "$NS_FW1" && a=1
    has_vip "$NS_FW2" && b=1
    case "$a$b" in 10) echo fw1 ;; 01) echo fw2 ;; 11) echo both ;; *) echo none ;; esac
}

cmd_load() { # seconds [downloads]
    local seconds="${1:-10}" downloads="${2:-8}"
    : > "$DIR/curl.results"
    # Each load's downloads take client ports of their own, below the ephemeral range ab
    # walks through (Linux gives successive connections to one server successive ports, and
    # ab wraps the range within seconds). Else a download could reuse the port of a session
    # that an earlier crash failover left as a stale state (the FIN not replicated): pf drops
    # a SYN that meets an ESTABLISHED state, so that download would count as lost at a later
    # failover although the replication lost nothing.
    local loads; loads="$(cat "$DIR/loads" 2>/dev/null || echo 0)"
    echo $((loads + 1)) > "$DIR/loads"
    local ports="$((10000 + (loads % 100) * 200))-$((10199 + (loads % 100) * 200))"
    for i in $(seq 1 "$downloads"); do
        ( in_ns "$NS_CL" curl -s -o /dev/null --local-port "$ports" --limit-rate 200k --max-time "$((seconds + 30))" \
              -w "download $i http=%{http_code} bytes=%{size_download} exit=%{exitcode}\n" \
              "http://10.10.2.10/big.bin" >> "$DIR/curl.results" 2>&1 || true ) &
    done
    local concurrency="${LAB_AB_CONCURRENCY:-8}"   # 0: downloads only
    if ((concurrency > 0)); then
        in_ns "$NS_CL" timeout "$((seconds + 5))" ab -q -t "$seconds" -n 10000000 -c "$concurrency" -s 10 \
            "http://10.10.2.10/index.html" > "$DIR/ab.results" 2>&1 || true
    else
        sleep "$seconds"
    fi
    wait
    echo "ab: $(grep -E 'Complete requests|Failed requests' "$DIR/ab.results" | tr -s ' ' | tr '\n' ' ')"
    cat "$DIR/curl.results"
}

pid_of() { # never 0 or empty: "kill 0" would signal this script's own process group
    local pid; pid="$(cat "$DIR/$1.pid" 2>/dev/null || true)"
    [[ "$pid" =~ ^[1-9][0-9]*$ ]] && echo "$pid" || echo 999999999
}

drop_vips() { # ns: a dead box answers nothing: take its addresses away as its death would
    in_ns "$1" ip addr del "$LAN_VIP/24" dev lan 2>/dev/null || true
    in_ns "$1" ip addr del "$WAN_VIP/24" dev wan 2>/dev/null || true
}

cmd_kill_primary() {
    kill -9 "$(pid_of fw1)" 2>/dev/null || true
    # The whole box dies, not only the daemon: it stops forwarding and answering, so the
    # sessions' packets are lost (TCP retransmits them) until the backup takes over.
    drop_vips "$NS_FW1"
    for link in lan wan sync; do in_ns "$NS_FW1" ip link set "$link" down; done
}

cmd_restart_primary() {
    for link in lan wan sync; do in_ns "$NS_FW1" ip link set "$link" up; done
    start_fw fw1 "$NS_FW1" 1 10.10.9.1 10.10.9.2 0
}

cmd_status() {
    local bin; bin="$(find_pfsyncd)"
    echo "{\"master\": \"$(cmd_master)\"}"
    for fw in fw1 fw2; do
        if [[ -S "$DIR/$fw.sock" ]]; then
            echo "{\"node\": \"$fw\", \"status\": $("$bin" status --json --socket "$DIR/$fw.sock" 2>/dev/null || echo null)}"
        else
            echo "{\"node\": \"$fw\", \"status\": null}"
        fi
    done
}

cmd_ucarp_failover() { # prints seconds from kill -9 of UCarp master to the VIP on fw2
    command -v ucarp >/dev/null || die "ucarp is not installed (apt-get install ucarp)"
    cat > "$DIR/vip-up.sh" <<'UP'
#!/bin/sh
ip addr add "$2/24" dev "$1"
arping -q -U -c 1 -I "$1" -s "$2" "$2" >/dev/null 2>&1 &
UP
    printf '#!/bin/sh\nip addr del "$2/24" dev "$1"\n' > "$DIR/vip-down.sh"
    chmod +x "$DIR/vip-up.sh" "$DIR/vip-down.sh"
    local n=1
    for ns in "$NS_FW1" "$NS_FW2"; do
        ip netns exec "$ns" ucarp -i lan -s "10.10.1.$((n + 1))" -v 1 -p "$CARP_PASS" -a "$LAN_VIP" \
            -b "$ADVBASE" -k $(( (n - 1) * 100 )) -P -z -u "$DIR/vip-up.sh" -d "$DIR/vip-down.sh" \
            >> "$DIR/ucarp-fw$n.log" 2>&1 &
        echo $! > "$DIR/ucarp-fw$n.pid"
        n=$((n + 1))
    done
    for _ in $(seq 1 200); do [[ "$(cmd_master)" == fw1 ]] && break; sleep 0.1; done
    [[ "$(cmd_master)" == fw1 ]] || die "UCarp did not elect fw1: $(cmd_master)"
    sleep 2
    local start end
    start=$(date +%s.%N)
    kill -9 "$(pid_of ucarp-fw1)"
    drop_vips "$NS_FW1"
    for _ in $(seq 1 300); do [[ "$(cmd_master)" == fw2 ]] && break; sleep 0.02; done
    end=$(date +%s.%N)
    [[ "$(cmd_master)" == fw2 ]] || die "UCarp did not move the VIP to fw2"
    kill "$(pid_of ucarp-fw2)" 2>/dev/null || true
    sleep 0.5
    drop_vips "$NS_FW2"
    python3 -c "print(f'{$end - $start:.2f}')"
}

cmd_down() {
    for fw in fw1 fw2 ucarp-fw1 ucarp-fw2; do kill -9 "$(pid_of "$fw")" 2>/dev/null || true; done
    if [[ -f "$DIR/nginx.pid" ]]; then kill "$(cat "$DIR/nginx.pid")" 2>/dev/null || true; fi
    for ns in "$NS_CL" "$NS_FW1" "$NS_FW2" "$NS_SV" "$NS_SW"; do
        ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
        ip netns del "$ns" 2>/dev/null || true
    done
    rm -rf "$DIR"
}

command="${1:-}"
shift || true
case "$command" in
    up) cmd_up ;;
    start) cmd_start ;;
    load) cmd_load "$@" ;;
    kill-primary) cmd_kill_primary ;;
    stop-primary)
        kill -TERM "$(pid_of fw1)"
        for _ in $(seq 1 300); do kill -0 "$(pid_of fw1)" 2>/dev/null || break; sleep 0.1; done ;;
    pause-primary) kill -STOP "$(pid_of fw1)" ;;
    resume-primary) kill -CONT "$(pid_of fw1)" ;;
    cut-primary) for link in lan wan sync; do in_ns "$NS_FW1" ip link set "$link" down; done ;;
    heal-primary) for link in lan wan sync; do in_ns "$NS_FW1" ip link set "$link" up; done ;;
    restart-primary) cmd_restart_primary ;;
    ucarp-failover) cmd_ucarp_failover ;;
    block-carp) # a rule on fw2 drops CARP: fw2 hears no master and takes over too
        in_ns "$NS_FW2" nft add table inet pfsyncdlab
        in_ns "$NS_FW2" nft add chain inet pfsyncdlab input '{ type filter hook input priority -300; }'
        in_ns "$NS_FW2" nft add rule inet pfsyncdlab input ip protocol 112 drop ;;
    unblock-carp) for ns in "$NS_FW1" "$NS_FW2"; do in_ns "$ns" nft delete table inet pfsyncdlab 2>/dev/null || true; done ;;
    status) cmd_status ;;
    master) cmd_master ;;
    down) cmd_down ;;
    *) sed -n '2,30p' "$0"; exit 2 ;;
esac
