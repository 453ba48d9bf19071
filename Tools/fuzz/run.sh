#!/bin/sh
# Builds a libFuzzer target (debug, with AddressSanitizer) and runs it. Debug because
# swift 6.3.1 -O crashes on PFSyncCore ("inlining a resilient function into a fragile one").
#   Tools/fuzz/run.sh [SECONDS] [extra libFuzzer flags...]
#   FUZZ_TARGET=FuzzSyncFrame (default), FuzzPacket or FuzzEngine
# FuzzSyncFrame: datagrams (sync frames, pfsync packets, delta sections); seeds in seeds/.
# FuzzPacket: captured frames through the packet parser and both trackers; seeds in seeds-packet/.
# FuzzEngine: pfsync packets (and delta sections) applied by the plain-pfsync engine and, in
# authenticated DATA frames, by the pfsyncd engine; seeds in seeds-engine/ (the pfsync seeds).
# Seeds are checked in (make-seeds.sh); new inputs go to corpus-work/TARGET (ignored);
# crashes to out/ (ignored). Copy every crasher into a test (for example
# Tests/PFSyncWireTests/Frame/FuzzCrasherTests.swift) so it is replayed forever.
set -eu
cd "$(dirname "$0")"
. ./build-flags.sh
target="${FUZZ_TARGET:-FuzzSyncFrame}"
case "$target" in
    FuzzSyncFrame) seeds=seeds ;;
    FuzzPacket) seeds=seeds-packet ;;
    FuzzEngine) seeds=seeds-engine ;;
    *) echo "unknown FUZZ_TARGET $target (FuzzSyncFrame, FuzzPacket or FuzzEngine)" >&2; exit 2 ;;
esac
mkdir -p .build
seconds="${1:-60}"
[ $# -gt 0 ] && shift
# shellcheck disable=SC2086
swift build $FUZZ_BUILD_FLAGS --product "$target" >.build/fuzz-build.log 2>&1 \
    || { grep -E "error" .build/fuzz-build.log; exit 1; }
# shellcheck disable=SC2086
binary="$(swift build $FUZZ_BUILD_FLAGS --show-bin-path)/$target"
mkdir -p "corpus-work/$target" out
# swift-backtrace would hold the pipe open after a crash; libFuzzer reports instead.
SWIFT_BACKTRACE=enable=no "$binary" "corpus-work/$target" "$seeds" \
    -max_total_time="$seconds" -max_len=9000 -artifact_prefix=out/ -print_final_stats=1 "$@"
