#!/usr/bin/env bash
# Measures conntrackd (netfilter conntrack-tools) FTFW over UDP between two network namespaces,
# the peer pfsyncd is compared against (issue 5). Run as root; see --help.
#
# Phases (each with fresh figures from /proc and conntrackd's own counters):
#   events  - N TCP ESTABLISHED entries created in the primary's kernel table through ctnetlink
#             (paced, Tools/bench/conntrackd/ctload.py), then one ct mark change on each, then
#             each deleted: the new/update/destroy events conntrackd turns into sync messages. Measured: events that reached
#             the backup's external cache, CPU (us) per event on each daemon, bytes per event.
#   bulk    - the primary's kernel table holds N entries, both daemons restart (the primary dumps
#             the kernel table into its internal cache), then `conntrackd -n` on the backup
#             (resync request) and, after `-f external` on the backup, `conntrackd -B` on the
#             primary (bulk send). Measured: time until the backup's external cache holds N.
#   loss    - the same as bulk (`-n`) with a random drop of P% of the sync datagrams in both
#             directions (nft numgen in each namespace): does it complete before the deadline?
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TEMPLATE="$SCRIPT_DIR/conntrackd/conntrackd.conf.in"
LOADER="$SCRIPT_DIR/conntrackd/ctload.py"
TO_JSON="$SCRIPT_DIR/conntrackd/results_to_json.py"
CTCTL="$SCRIPT_DIR/conntrackd/ctctl.py"

EVENTS=100000
EVENT_RATE=20000
BULK_SIZES="100000,1000000"
LOSS_ENTRIES=500000
LOSS_PERCENT=1
DEADLINE=120
OUT=""
QUICK=0
SKIP_LOSS=0
KEEP=0
PORT=3780
SOCKET_BUFFER=4194304
RESEND_QUEUE=131072

usage() {
    cat <<EOF
Usage: sudo $0 [options]

Measures conntrackd FTFW over UDP (two network namespaces joined by a veth pair) and prints
one JSON object (also written to --out FILE).

  --events N          entries created, updated, deleted in the event phase (default $EVENTS)
  --event-rate R      entries per second the loader creates/updates/deletes (default $EVENT_RATE;
                      0 = unpaced, which overruns conntrackd's netlink event socket)
  --bulk N[,N...]     bulk sizes, ascending (default $BULK_SIZES)
  --loss-entries N    bulk size of the loss run (default $LOSS_ENTRIES)
  --loss-percent P    sync datagrams dropped, in each direction (default $LOSS_PERCENT)
  --deadline S        seconds a bulk (with or without loss) may take (default $DEADLINE)
  --no-loss           skip the loss run
  --quick             events 20000, bulk 100000 only, no loss run
  --out FILE          also write the JSON object to FILE
  --keep              keep the work directory (configs, daemon logs) and print its path
  -h, --help          this text
EOF
}

die() { echo "conntrackd.sh: $*" >&2; exit 1; }
note() { echo "conntrackd.sh: $*" >&2; }

ORIGINAL_ARGS="$*"
while [ $# -gt 0 ]; do
    case "$1" in
        --events) EVENTS=${2:?}; shift 2 ;;
        --event-rate) EVENT_RATE=${2:?}; shift 2 ;;
        --bulk) BULK_SIZES=${2:?}; shift 2 ;;
        --loss-entries) LOSS_ENTRIES=${2:?}; shift 2 ;;
        --loss-percent) LOSS_PERCENT=${2:?}; shift 2 ;;
        --deadline) DEADLINE=${2:?}; shift 2 ;;
        --no-loss) SKIP_LOSS=1; shift ;;
        --quick) QUICK=1; shift ;;
        --out) OUT=${2:?}; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" ;;
    esac
done
if [ "$QUICK" = 1 ]; then EVENTS=20000; BULK_SIZES=100000; SKIP_LOSS=1; fi
for number in "$EVENTS" "$EVENT_RATE" "$LOSS_ENTRIES" "$DEADLINE" ${BULK_SIZES//,/ }; do
    [[ "$number" =~ ^[0-9]+$ ]] || die "not a whole number: $number"
done
[[ "$LOSS_PERCENT" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "not a percentage: $LOSS_PERCENT"
[ "$EVENTS" -ge 1 ] || die "--events must be at least 1"

[ "$(id -u)" = 0 ] || die "must run as root (it creates network namespaces and starts conntrackd); try: sudo $0 ${ORIGINAL_ARGS}"
[ -r "$TEMPLATE" ] && [ -r "$LOADER" ] && [ -r "$TO_JSON" ] && [ -r "$CTCTL" ] || die "missing files under $SCRIPT_DIR/conntrackd/"
for tool in ip nft python3; do command -v "$tool" >/dev/null || die "$tool not found"; done
if ! command -v conntrackd >/dev/null || ! command -v conntrack >/dev/null; then
    note "installing conntrackd and conntrack (Debian packages of conntrack-tools)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y conntrackd conntrack >/dev/null 2>&1 \
        || { apt-get update >/dev/null 2>&1 && apt-get install -y conntrackd conntrack >/dev/null; } \
        || die "apt-get could not install conntrackd/conntrack"
fi

# ---------------------------------------------------------------------------------------------
# Namespaces, veth, daemons; everything is undone by cleanup() on every exit path.
TAG="ctd$$r$((RANDOM % 1000))"
NS_PRIMARY="${TAG}p"; NS_BACKUP="${TAG}b"
IF_PRIMARY="${TAG}p"; IF_BACKUP="${TAG}b"
IP_PRIMARY=10.213.0.1; IP_BACKUP=10.213.0.2
WORK=$(mktemp -d "/tmp/conntrackd-bench.XXXXXX")
RESULTS="$WORK/results.txt"
: > "$RESULTS"
PID_PRIMARY=""; PID_BACKUP=""
ORIGINAL_CT_MAX=$(sysctl -n net.netfilter.nf_conntrack_max 2>/dev/null || echo "")

stop_daemons() {
    local pid
    for pid in "$PID_PRIMARY" "$PID_BACKUP"; do
        [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    done
    for pid in "$PID_PRIMARY" "$PID_BACKUP"; do
        [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
    done
    PID_PRIMARY=""; PID_BACKUP=""
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    stop_daemons
    ip netns del "$NS_PRIMARY" 2>/dev/null || true
    ip netns del "$NS_BACKUP" 2>/dev/null || true
    if [ -n "$ORIGINAL_CT_MAX" ] && [ "$(sysctl -n net.netfilter.nf_conntrack_max 2>/dev/null)" != "$ORIGINAL_CT_MAX" ]; then
        sysctl -qw net.netfilter.nf_conntrack_max="$ORIGINAL_CT_MAX" || true
    fi
    if [ "$KEEP" = 1 ] || [ "$status" != 0 ]; then
        note "work directory kept: $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

modprobe nf_conntrack 2>/dev/null || true
modprobe nf_conntrack_netlink 2>/dev/null || true

largest=$EVENTS
for n in ${BULK_SIZES//,/ }; do [ "$n" -gt "$largest" ] && largest=$n; done
[ "$SKIP_LOSS" = 0 ] && [ "$LOSS_ENTRIES" -gt "$largest" ] && largest=$LOSS_ENTRIES
wanted_max=$(( largest + largest / 4 + 65536 ))
if [ -n "$ORIGINAL_CT_MAX" ] && [ "$ORIGINAL_CT_MAX" -lt "$wanted_max" ]; then
    sysctl -qw net.netfilter.nf_conntrack_max="$wanted_max" || die "cannot raise nf_conntrack_max to $wanted_max"
fi

ip netns add "$NS_PRIMARY"
ip netns add "$NS_BACKUP"
ip link add "$IF_PRIMARY" type veth peer name "$IF_BACKUP"
ip link set "$IF_PRIMARY" netns "$NS_PRIMARY"
ip link set "$IF_BACKUP" netns "$NS_BACKUP"
ip -n "$NS_PRIMARY" addr add "$IP_PRIMARY/24" dev "$IF_PRIMARY"
ip -n "$NS_BACKUP" addr add "$IP_BACKUP/24" dev "$IF_BACKUP"
for ns in "$NS_PRIMARY" "$NS_BACKUP"; do ip -n "$ns" link set lo up; done
ip -n "$NS_PRIMARY" link set "$IF_PRIMARY" up
ip -n "$NS_BACKUP" link set "$IF_BACKUP" up

hash_limit=$(( largest * 2 + 131072 ))
hash_size=262144; [ "$largest" -gt 262144 ] && hash_size=1048576
write_config() { # NAME LOCAL_IP PEER_IP IFACE
    sed -e "s|@RESEND_QUEUE@|$RESEND_QUEUE|g; s|@LOCAL_IP@|$2|g; s|@PEER_IP@|$3|g; s|@PORT@|$PORT|g" \
        -e "s|@IFACE@|$4|g; s|@SOCKET_BUFFER@|$SOCKET_BUFFER|g; s|@HASH_SIZE@|$hash_size|g" \
        -e "s|@HASH_LIMIT@|$hash_limit|g; s|@LOG_FILE@|$WORK/$1.log|g; s|@LOCK_FILE@|$WORK/$1.lock|g" \
        -e "s|@CTL_SOCKET@|$WORK/$1.ctl|g" "$TEMPLATE" > "$WORK/$1.conf"
}
write_config primary "$IP_PRIMARY" "$IP_BACKUP" "$IF_PRIMARY"
write_config backup "$IP_BACKUP" "$IP_PRIMARY" "$IF_BACKUP"

ctl_primary() { ip netns exec "$NS_PRIMARY" conntrackd -C "$WORK/primary.conf" "$@"; }
ctl_backup() { ip netns exec "$NS_BACKUP" conntrackd -C "$WORK/backup.conf" "$@"; }

start_daemons() {
    rm -f "$WORK"/*.lock "$WORK"/*.ctl
    ip netns exec "$NS_BACKUP" conntrackd -C "$WORK/backup.conf" >>"$WORK/backup.out" 2>&1 &
    PID_BACKUP=$!
    ip netns exec "$NS_PRIMARY" conntrackd -C "$WORK/primary.conf" >>"$WORK/primary.out" 2>&1 &
    PID_PRIMARY=$!
    local i
    for i in $(seq 600); do
        if ctl_primary -s >/dev/null 2>&1 && ctl_backup -s >/dev/null 2>&1; then return 0; fi
        kill -0 "$PID_PRIMARY" 2>/dev/null && kill -0 "$PID_BACKUP" 2>/dev/null \
            || die "conntrackd exited at start; see $WORK/*.out and $WORK/*.log"
        sleep 0.1
    done
    die "conntrackd did not answer -s within 60 s"
}

# "KEY VALUE" lines from the statistics (`conntrackd -s`) of one side: internal_active,
# external_active, external_created, external_updated, udp_bytes_sent, udp_packets_sent, ...
# read straight from the control socket (ctctl.py) instead of forking `ip netns exec conntrackd`.
stats() { # primary|backup
    python3 "$CTCTL" stats "$WORK/$1.ctl"
}
stat_of() { # primary|backup KEY
    stats "$1" | awk -v k="$2" '$1 == k { print $2; found = 1 } END { if (!found) print 0 }'
}
# On-CPU nanoseconds of a process (utime+stime at ns resolution from schedstat; falls back to
# /proc/PID/stat ticks).
cpu_ns() {
    if [ -r "/proc/$1/schedstat" ]; then awk '{ print $1 }' "/proc/$1/schedstat"
    else awk -v hz="$(getconf CLK_TCK)" '{ printf "%d\n", ($14 + $15) * 1e9 / hz }' "/proc/$1/stat"; fi
}
veth_counter() { # primary|backup tx_bytes|rx_bytes|tx_packets|...
    local ns=$NS_PRIMARY ifname=$IF_PRIMARY
    [ "$1" = backup ] && { ns=$NS_BACKUP; ifname=$IF_BACKUP; }
    ip netns exec "$ns" cat "/sys/class/net/$ifname/statistics/$2"
}
record() { echo "$1 $2" >> "$RESULTS"; }
now() { echo "$EPOCHREALTIME"; }

# Snapshot of every counter a phase needs, as shell variables with a prefix.
snapshot() { # PREFIX
    local p=$1
    eval "${p}_cpu_primary=$(cpu_ns "$PID_PRIMARY")"
    eval "${p}_cpu_backup=$(cpu_ns "$PID_BACKUP")"
    eval "${p}_udp_bytes=$(stat_of primary udp_bytes_sent)"
    eval "${p}_udp_packets=$(stat_of primary udp_packets_sent)"
    eval "${p}_udp_bytes_back=$(stat_of backup udp_bytes_sent)"
    eval "${p}_wire_bytes=$(veth_counter primary tx_bytes)"
    eval "${p}_wire_packets=$(veth_counter primary tx_packets)"
    eval "${p}_wire_bytes_back=$(veth_counter backup tx_bytes)"
}
# Records the per-item figures of a phase between snapshots A and B.
record_costs() { # KEY_PREFIX A B ITEMS
    local k=$1 a=$2 b=$3 items=$4 v
    for v in cpu_primary cpu_backup udp_bytes udp_packets udp_bytes_back wire_bytes wire_packets wire_bytes_back; do
        eval "record ${k}.delta_$v \$(( ${b}_$v - ${a}_$v ))"
    done
    record "$k.items" "$items"
}

# Polls SIDE's statistics every 5 ms until KEY >= TARGET or DEADLINE seconds pass, after sending
# request CODE (22 = -B, 23 = -n) to TRIGGER_SIDE if given; prints ctctl.py's JSON line
# (value, completed, seconds to the poll that first saw the final value, waited_seconds, polls).
watch() { # SIDE KEY TARGET DEADLINE [TRIGGER_SIDE CODE]
    local trigger=()
    [ $# -ge 6 ] && trigger=(--trigger "$WORK/$5.ctl" --code "$6")
    python3 "$CTCTL" watch "$WORK/$1.ctl" --key "$2" --target "$3" --deadline "$4" "${trigger[@]}"
}
json_field() { python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

kernel_entries() { ip netns exec "$NS_PRIMARY" conntrack -C; }
load() { ip netns exec "$NS_PRIMARY" python3 "$LOADER" "$@"; }

# Makes the primary's kernel table hold exactly entries 0..N-1, with the daemons stopped.
fill_kernel() { # N
    local have
    have=$(kernel_entries)
    if [ "$have" -gt "$1" ]; then ip netns exec "$NS_PRIMARY" conntrack -F >/dev/null 2>&1; have=0; fi
    if [ "$have" -lt "$1" ]; then
        load insert --start "$have" --count $(( $1 - have )) --mark 1 >"$WORK/fill.json"
    fi
    have=$(kernel_entries)
    [ "$have" = "$1" ] || die "kernel table holds $have entries, wanted $1 (see $WORK/fill.json)"
}

# ---------------------------------------------------------------------------------------------
record version "$(conntrackd -v 2>&1 | head -1 | sed 's/\. Licensed.*//')"
record kernel "$(uname -r)"
record cpus "$(nproc)"
record load_average_start "$(cut -d' ' -f1-3 /proc/loadavg)"
record config.mode FTFW
record config.transport "UDP unicast over a veth pair between two network namespaces"
record config.resend_queue_size "$RESEND_QUEUE"
record config.ack_window_size 300
record config.socket_buffer_bytes "$SOCKET_BUFFER"
record config.event_rate "$EVENT_RATE"
record config.poll_seconds 0.005

# Event replication ---------------------------------------------------------------------------
note "events: $EVENTS entries created, updated, deleted at $EVENT_RATE/s in $NS_PRIMARY"
ip netns exec "$NS_PRIMARY" conntrack -F >/dev/null 2>&1 || true
start_daemons
sleep 1

event_phase() { # KIND(new|update|destroy) LOADER_ARGS...
    local kind=$1 key started result
    shift
    case "$kind" in
        new) key=external_created ;; update) key=external_updated ;; *) key=external_destroyed ;;
    esac
    started=$(stat_of backup "$key")
    snapshot ev0
    local t0; t0=$(now)
    load "$@" --count "$EVENTS" --rate "$EVENT_RATE" >"$WORK/load-$kind.json"
    result=$(watch backup "$key" $(( started + EVENTS )) 60)
    local t1; t1=$(now)
    snapshot ev1
    record_costs "events.$kind" ev0 ev1 "$EVENTS"
    record "events.$kind.replicated" $(( $(json_field "$result" value) - started ))
    record "events.$kind.complete" "$(json_field "$result" completed | tr A-Z a-z)"
    # From the loader's start to the poll that first saw the last event at the backup.
    record "events.$kind.seconds" "$(awk -v a="$t0" -v b="$t1" -v w="$(json_field "$result" waited_seconds)" \
        -v s="$(json_field "$result" seconds)" 'BEGIN { printf "%.3f", b - a - w + s }')"
    record "events.$kind.loader" "$(cat "$WORK/load-$kind.json")"
}
event_phase new insert --start 0 --mark 1
event_phase update update --start 0 --mark 2
event_phase destroy delete --start 0
record events.netlink_overrun_log_lines "$(grep -ci overrun "$WORK/primary.log" 2>/dev/null || true)"
stop_daemons

# Bulk ----------------------------------------------------------------------------------------
bulk_run() { # KEY N HOW(-n|-B) DEADLINE
    local key=$1 n=$2 how=$3 deadline=$4 result
    snapshot bk0
    if [ "$how" = -n ]; then
        result=$(watch backup external_active "$n" "$deadline" backup 23)
    else
        result=$(watch backup external_active "$n" "$deadline" primary 22)
    fi
    snapshot bk1
    record_costs "$key" bk0 bk1 "$n"
    record "$key.command" "$( [ "$how" = -n ] && echo "conntrackd -n (on the backup)" || echo "conntrackd -B (on the primary)")"
    record "$key.arrived" "$(json_field "$result" value)"
    record "$key.completed" "$(json_field "$result" completed | tr A-Z a-z)"
    record "$key.seconds" "$(json_field "$result" seconds)"
    record "$key.waited_seconds" "$(json_field "$result" waited_seconds)"
    record "$key.polls" "$(json_field "$result" polls)"
    record "$key.deadline_seconds" "$deadline"
    record "$key.load_average" "$(cut -d' ' -f1-3 /proc/loadavg)"
}

prepare_bulk() { # N
    note "bulk: filling the primary's kernel table to $1 entries"
    fill_kernel "$1"
    start_daemons
    [ "$(json_field "$(watch primary internal_active "$1" 300)" completed)" = True ] \
        || die "the primary's internal cache did not reach $1 entries after start"
    sleep 1
}

loss_run() { # N PERCENT
    local n=$1 threshold ns ifname
    threshold=$(awk -v p="$2" 'BEGIN { printf "%d", p * 100 + 0.5 }')
    prepare_bulk "$n"
    for side in primary backup; do
        ns=$NS_PRIMARY; ifname=$IF_PRIMARY
        [ "$side" = backup ] && { ns=$NS_BACKUP; ifname=$IF_BACKUP; }
        ip netns exec "$ns" nft -f - <<EOF
table inet ctdbench_loss {
    chain output {
        type filter hook output priority 0; policy accept;
        oifname "$ifname" udp dport $PORT numgen random mod 10000 < $threshold counter drop
    }
}
EOF
    done
    note "loss: $n-entry bulk (conntrackd -n) with $2% of sync datagrams dropped each way, deadline ${DEADLINE}s"
    bulk_run loss "$n" -n "$DEADLINE"
    record loss.loss_percent_each_direction "$2"
    for side in primary backup; do
        ns=$NS_PRIMARY; [ "$side" = backup ] && ns=$NS_BACKUP
        record "loss.dropped_datagrams_$side" "$(ip netns exec "$ns" nft list table inet ctdbench_loss \
            | awk '/counter packets/ { for (i = 1; i <= NF; i++) if ($i == "packets") print $(i + 1) }')"
        ip netns exec "$ns" nft delete table inet ctdbench_loss
    done
    record loss.primary_rsqueue_no_space_errors "$(ctl_primary -s queue | awk '/^queue rsqueue/ { q = 1 } q && /not enough space/ { print $5; exit }')"
    record loss.backup_lost_msgs "$(stat_of backup lost_msgs)"
    stop_daemons
}

loss_done=0
for n in ${BULK_SIZES//,/ }; do
    if [ "$SKIP_LOSS" = 0 ] && [ "$loss_done" = 0 ] && [ "$LOSS_ENTRIES" -lt "$n" ]; then
        loss_run "$LOSS_ENTRIES" "$LOSS_PERCENT"; loss_done=1
    fi
    prepare_bulk "$n"
    note "bulk: $n entries, conntrackd -n on the backup"
    bulk_run "bulk.$n.resync_request" "$n" -n "$DEADLINE"
    ctl_backup -f external >/dev/null
    for _ in $(seq 100); do [ "$(stat_of backup external_active)" = 0 ] && break; sleep 0.1; done
    [ "$(stat_of backup external_active)" = 0 ] || die "the backup's external cache did not empty after -f external"
    sleep 1
    note "bulk: $n entries, conntrackd -B on the primary"
    bulk_run "bulk.$n.bulk_send" "$n" -B "$DEADLINE"
    stop_daemons
done
if [ "$SKIP_LOSS" = 0 ] && [ "$loss_done" = 0 ]; then loss_run "$LOSS_ENTRIES" "$LOSS_PERCENT"; fi

record load_average_end "$(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$TO_JSON" "$RESULTS" > "$WORK/result.json"
cat "$WORK/result.json"
if [ -n "$OUT" ]; then cp "$WORK/result.json" "$OUT"; note "written to $OUT"; fi
