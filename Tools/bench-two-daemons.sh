#!/usr/bin/env bash
# bench-two-daemons.sh - replication measured with TWO `pfsyncd run` processes over
# loopback UDP (BENCHMARKS.md, "Replication"). Prints one JSON object per scenario.
#
#   swift build -c release --product pfsyncd            # first
#   Tools/bench-two-daemons.sh [updates|bulk|bulk-loss|catchup|all]   # default: all
#
# Environment (all optional):
#   PFSYNCD       the release binary (default: .build/release/pfsyncd beside this script)
#   MTU           sync.mtu of both daemons (default 1500; 9000 for jumbo frames on loopback)
#   STATES        states of the update run (default 100000)
#   UPDATES       synthetic updates of the update run (default 100000000: runs for the window)
#   RATE          synthetic updates per second, 0 = as fast as the table takes them (default 0)
#   WINDOW        seconds the update run is sampled over (default 5)
#   BULK_STATES   states of the bulk runs (default 1000000)
#   LOSS          drop_percent of the primary in the bulk-loss run (default 5)
#   CATCHUP_STATES, CATCHUP_RATE, CATCHUP_SECONDS
#                 the catchup run: states and updates/s of the primary's writer from its
#                 start, and how long the backup is watched (default 1000000, 1500000, 20)
#   FLUSH_MS      sync.flush_interval_ms (default 2)
#   GSO           sync.gso of both daemons (default true here: the figures in BENCHMARKS.md
#                 from session 10 on are with GSO writes; the daemon's own default is false);
#                 GSO= (empty) writes no gso key, for binaries from before session 10
#   NICE          run the daemons at this nice value (e.g. -10 on a machine busy with builds)
#   POLL          seconds between status polls while waiting (default 0.5)
#   SHARDS        [table] shards of both daemons (default: the daemon's, 4 x cores)
#   RESERVE       [table] reserve_states of both daemons in the bulk runs (default: BULK_STATES,
#                 a backup sized for the table it takes over; 0 grows on demand)
#
# Figures:
#   updates: applied_per_s = UPD messages applied at the backup per second (table.updated);
#     table_updates_per_s = the primary writer's table updates per second (several updates of
#     one state between two flushes coalesce into one message); cpu_us_per_update = utime +
#     stime of BOTH processes (/proc/PID/stat) over the window / updates applied; the
#     primary's CPU includes its synthetic writer thread (the table update itself);
#     cpu_us_per_update_replication = the same without the writer thread (pfsyncd-synth):
#     what replication itself costs, as conntrackd's figure leaves out the kernel's
#     conntrack work;
#     wire_bytes_per_update = UDP payload bytes the primary sent (frames, and the zero
#     padding of its GSO writes) / updates applied.
#   catchup: a backup slower than the load (a big table, updated from the start): seconds
#     until the backup holds every state (null: never in the run), and over the whole run
#     the backup's lost frames and resyncs, the primary's retransmissions, and the UDP
#     datagrams the kernel dropped for want of receive buffer (RcvbufErrors in
#     /proc/net/snmp, the whole machine's: run it on an idle one).
#   bulk: duration_ms = the backup's own bulk clock (bulk request sent -> BUS END
#     received, `status` bulk.last_duration_ms); states_per_s = states / that;
#     wire_bytes_per_state = the primary's UDP payload bytes (with GSO padding) during
#     the bulk / states.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
bin="${PFSYNCD:-$root/.build/release/pfsyncd}"
[ -x "$bin" ] || { echo "pfsyncd binary not found at $bin: swift build -c release --product pfsyncd, or set PFSYNCD" >&2; exit 2; }
mtu="${MTU:-1500}"
states="${STATES:-100000}"
updates="${UPDATES:-100000000}"
rate="${RATE:-0}"
window="${WINDOW:-5}"
bulk_states="${BULK_STATES:-1000000}"
loss="${LOSS:-5}"
poll="${POLL:-0.5}"
flush_ms="${FLUSH_MS:-2}"
# GSO unset: true; GSO set but empty: no gso key (binaries from before session 10).
gso_line="gso = ${GSO-true}"
[ -z "${GSO-true}" ] && gso_line=""
reserve="${RESERVE:-$bulk_states}"
table_reserve=0
shards_line=""
[ -n "${SHARDS:-}" ] && shards_line="shards = $SHARDS"
nice_value="${NICE:-0}"
hz="$(getconf CLK_TCK)"

dir="$(mktemp -d /tmp/pfsyncd-bench-XXXXXX)"
pids=()
cleanup() {
    for pid in "${pids[@]:-}"; do
        [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]:-}"; do
        [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
    done
    rm -rf "$dir"
}
trap cleanup EXIT
head -c 32 /dev/urandom > "$dir/sync.key"
chmod 600 "$dir/sync.key"

free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# write_config NAME NODE_ID PORT PEER_PORT EXTRA_TESTING_LINES
write_config() {
    cat > "$dir/$1.toml" <<EOF
node_id = $2
[sync]
peer = "127.0.0.1"
listen = "127.0.0.1"
port = $3
peer_port = $4
key_file = "$dir/sync.key"
flush_interval_ms = $flush_ms
keepalive_ms = 100
mtu = $mtu
$gso_line
[table]
reserve_states = $table_reserve
$shards_line
[control]
socket = "$dir/$1.sock"
[testing]
$5
EOF
}

start() { # start NAME -> sets started_pid
    nice -n "$nice_value" "$bin" run --config "$dir/$1.toml" --log-level warning > "$dir/$1.log" 2>&1 &
    started_pid=$!
    pids+=("$started_pid")
    for _ in $(seq 1 200); do
        "$bin" status --socket "$dir/$1.sock" --json > /dev/null 2>&1 && return 0
        sleep 0.05
    done
    echo "$1 did not start: $(cat "$dir/$1.log")" >&2
    exit 1
}

stop() { # stop PID
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

query() { "$bin" "$1" --socket "$dir/$2.sock" --json; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# CPU ticks of the primary's synthetic writer thread (named pfsyncd-synth), 0 if none.
writer_ticks() {
    local task
    for task in /proc/"$1"/task/*; do
        if [ "$(cat "$task/comm" 2>/dev/null)" = pfsyncd-synth ]; then
            awk '{ print $14 + $15 }' "$task/stat"
            return
        fi
    done
    echo 0
}
now() { date +%s.%N; }

# wait_for SECONDS CONDITION... (polls every $poll seconds: each poll forks pfsyncd, jq and
# bc, which on 2 cores takes CPU from the daemons being measured; bulk times come from the
# backup's own clock, so a slow poll does not blur them)
wait_for() {
    local limit=$1; shift
    local deadline; deadline=$(echo "$(now) + $limit" | bc)
    while ! "$@"; do
        if [ "$(echo "$(now) > $deadline" | bc)" = 1 ]; then return 1; fi
        sleep "$poll"
    done
}

table_has() { [ "$(query status "$1" | jq '.table.states')" -ge "$2" ]; }
bulk_done() { [ "$(query status "$1" | jq -r '.bulk.incoming')" = done ]; }
# No bulk update is being sent or received by NAME.
bulk_idle() {
    query status "$1" | jq -e '.bulk.sending == false and (.bulk.incoming | IN("requested", "receiving") | not)' > /dev/null
}
bulks_settled_twice() {
    bulk_idle primary && bulk_idle backup && sleep 1 && bulk_idle primary && bulk_idle backup
}

run_updates() {
    local p_port b_port
    p_port=$(free_port); b_port=$(free_port)
    write_config backup 2 "$b_port" "$p_port" ""
    write_config primary 1 "$p_port" "$b_port" "synthetic_states = $states
synthetic_updates = $updates
synthetic_rate = $rate"
    start backup; local backup=$started_pid
    start primary; local primary=$started_pid
    wait_for 120 table_has backup "$states" || { echo "inserts did not reach the backup" >&2; exit 1; }
    # Both nodes ask for a bulk update when they start, and the backup repeats its request
    # every second until answered: the window starts once no bulk runs either way (checked
    # twice, a second apart), or the bulks' full states would be counted as update work.
    wait_for 60 bulks_settled_twice || { echo "the start-up bulk updates did not end" >&2; exit 1; }
    local t0 s0 p0 b0 cp0 cb0 cw0 t1 s1 p1 b1 cp1 cb1 cw1
    s0=$(query stats backup); p0=$(query status primary); b0=$(query stats primary)
    cp0=$(cpu_ticks "$primary"); cb0=$(cpu_ticks "$backup"); cw0=$(writer_ticks "$primary"); t0=$(now)
    sleep "$window"
    s1=$(query stats backup); p1=$(query status primary); b1=$(query stats primary)
    cp1=$(cpu_ticks "$primary"); cb1=$(cpu_ticks "$backup"); cw1=$(writer_ticks "$primary"); t1=$(now)
    stop "$primary"; stop "$backup"
    jq -n --argjson s0 "$s0" --argjson s1 "$s1" --argjson p0 "$p0" --argjson p1 "$p1" \
        --argjson b0 "$b0" --argjson b1 "$b1" --arg t0 "$t0" --arg t1 "$t1" \
        --argjson cp "$((cp1 - cp0))" --argjson cb "$((cb1 - cb0))" --argjson cw "$((cw1 - cw0))" --argjson hz "$hz" \
        --argjson mtu "$mtu" --argjson states "$states" --argjson rate "$rate" '
        (($t1 | tonumber) - ($t0 | tonumber)) as $dt
        | ($s1.table.updated - $s0.table.updated) as $applied
        | ([$p1.capture[] | select(.source == "synthetic") | .packets_read][0]
           - [$p0.capture[] | select(.source == "synthetic") | .packets_read][0]) as $written
        | ($b1.traffic.bytes_sent - $b0.traffic.bytes_sent + ($b1.transport.gso_padding_bytes // 0) - ($b0.transport.gso_padding_bytes // 0)) as $bytes
        | {scenario: "updates", mtu: $mtu, states: $states, synthetic_rate: $rate, seconds: $dt,
           applied_per_s: ($applied / $dt | floor), table_updates_per_s: ($written / $dt | floor),
           coalesced_fraction: (if $written > 0 then (1 - $applied / $written) * 1000 | round / 1000 else null end),
           cpu_us_per_update: (if $applied > 0 then ($cp + $cb) / $hz * 1e6 / $applied * 1000 | round / 1000 else null end),
           cpu_us_per_update_primary: (if $applied > 0 then $cp / $hz * 1e6 / $applied * 1000 | round / 1000 else null end),
           cpu_us_per_update_backup: (if $applied > 0 then $cb / $hz * 1e6 / $applied * 1000 | round / 1000 else null end),
           cpu_us_per_update_replication: (if $applied > 0 then ($cp - $cw + $cb) / $hz * 1e6 / $applied * 1000 | round / 1000 else null end),
           cpu_cores_primary: ($cp / $hz / $dt * 100 | round / 100), cpu_cores_backup: ($cb / $hz / $dt * 100 | round / 100),
           cpu_cores_writer: ($cw / $hz / $dt * 100 | round / 100),
           wire_bytes_per_update: (if $applied > 0 then $bytes / $applied * 10 | round / 10 else null end),
           frames_sent: ($b1.traffic.frames_sent - $b0.traffic.frames_sent),
           lost: $s1.reliability.lost, retransmitted: $b1.reliability.retransmitted,
           resyncs: ($s1.reliability.resyncs + $b1.reliability.resyncs)}'
}

# run_bulk NAME DROP_PERCENT
run_bulk() {
    local p_port b_port
    table_reserve=$reserve
    p_port=$(free_port); b_port=$(free_port)
    local faults=""
    [ "$2" != 0 ] && faults="drop_percent = $2"
    write_config backup 2 "$b_port" "$p_port" ""
    write_config primary 1 "$p_port" "$b_port" "synthetic_states = $bulk_states
synthetic_replicate_inserts = false
$faults"
    start primary; local primary=$started_pid
    wait_for 300 table_has primary "$bulk_states" || { echo "primary did not insert its states" >&2; exit 1; }
    local b0 cp0 t0
    b0=$(query stats primary); cp0=$(cpu_ticks "$primary"); t0=$(now)
    start backup; local backup=$started_pid
    local completed=true
    wait_for 120 bulk_done backup || completed=false
    local t1 cp1 cb1 b1 s1 st1
    t1=$(now); cp1=$(cpu_ticks "$primary"); cb1=$(cpu_ticks "$backup")
    b1=$(query stats primary); s1=$(query stats backup); st1=$(query status backup)
    stop "$primary"; stop "$backup"
    jq -n --arg name "$1" --argjson drop "$2" --argjson completed "$completed" --argjson b0 "$b0" --argjson b1 "$b1" \
        --argjson s1 "$s1" --argjson st1 "$st1" --arg t0 "$t0" --arg t1 "$t1" --argjson hz "$hz" \
        --argjson cp "$((cp1 - cp0))" --argjson cb "$cb1" --argjson mtu "$mtu" --argjson n "$bulk_states" '
        ($st1.bulk.last_duration_ms) as $ms
        | ($b1.traffic.bytes_sent - $b0.traffic.bytes_sent + ($b1.transport.gso_padding_bytes // 0) - ($b0.transport.gso_padding_bytes // 0)) as $bytes
        | {scenario: $name, mtu: $mtu, drop_percent: $drop, states: $n, completed: $completed,
           backup_states: $st1.table.states, duration_ms: $ms,
           states_per_s: (if $ms != null and $ms > 0 then $n / $ms * 1000 | floor else null end),
           wall_s_including_backup_start: (($t1 | tonumber) - ($t0 | tonumber) | . * 1000 | round / 1000),
           cpu_us_per_state: (($cp + $cb) / $hz * 1e6 / $n * 1000 | round / 1000),
           wire_bytes_per_state: ($bytes / $n * 10 | round / 10),
           retransmitted: $b1.reliability.retransmitted, nacks_sent: $s1.reliability.nacks_sent,
           lost: $s1.reliability.lost, resyncs: ($s1.reliability.resyncs + $b1.reliability.resyncs),
           bulk_requests_received: $b1.bulk.requests_received}'
}

run_catchup() {
    local p_port b_port n="${CATCHUP_STATES:-1000000}" seconds="${CATCHUP_SECONDS:-20}"
    p_port=$(free_port); b_port=$(free_port)
    write_config backup 2 "$b_port" "$p_port" ""
    write_config primary 1 "$p_port" "$b_port" "synthetic_states = $n
synthetic_updates = 100000000000
synthetic_rate = ${CATCHUP_RATE:-1500000}"
    local drops0 full=null t0 second
    drops0=$(awk '/^Udp:/ { n++ } /^Udp:/ && n == 2 { print $6 }' /proc/net/snmp)
    start backup; local backup=$started_pid
    start primary; local primary=$started_pid
    t0=$(now)
    for second in $(seq 1 "$seconds"); do
        sleep 1
        if [ "$full" = null ] && table_has backup "$n"; then full=$(echo "$(now) - $t0" | bc); fi
    done
    local s1 b1 drops1
    s1=$(query stats backup); b1=$(query stats primary)
    drops1=$(awk '/^Udp:/ { n++ } /^Udp:/ && n == 2 { print $6 }' /proc/net/snmp)
    stop "$primary"; stop "$backup"
    jq -n --argjson s1 "$s1" --argjson b1 "$b1" --argjson n "$n" --argjson full "$full" \
        --argjson seconds "$seconds" --argjson drops "$((drops1 - drops0))" '
        {scenario: "catchup", states: $n, seconds: $seconds,
         backup_full_after_s: (if $full == null then null else ($full * 10 | round / 10) end),
         backup_states: $s1.table.states, backup_updated: $s1.table.updated,
         lost: $s1.reliability.lost, resyncs: ($s1.reliability.resyncs + $b1.reliability.resyncs),
         retransmitted: $b1.reliability.retransmitted, kernel_receive_drops: $drops}'
}

case "${1:-all}" in
updates) run_updates ;;
bulk) run_bulk bulk 0 ;;
bulk-loss) run_bulk bulk-loss "$loss" ;;
catchup) run_catchup ;;
all) run_updates; run_bulk bulk 0; run_bulk bulk-loss "$loss" ;;
*) echo "usage: $0 [updates|bulk|bulk-loss|catchup|all]" >&2; exit 2 ;;
esac
