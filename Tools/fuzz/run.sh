#!/bin/sh
# Builds the libFuzzer target (debug, with AddressSanitizer) and runs it. Debug because
# swift 6.3.1 -O crashes on PFSyncCore ("inlining a resilient function into a fragile one").
#   Tools/fuzz/run.sh [SECONDS] [extra libFuzzer flags...]
# Seeds: Tools/fuzz/seeds (checked in); new inputs go to Tools/fuzz/corpus-work (ignored);
# crashes to Tools/fuzz/out (ignored). Copy every crasher into
# Tests/PFSyncWireTests/Frame/FuzzCrasherTests.swift so it is replayed forever.
set -eu
cd "$(dirname "$0")"
mkdir -p .build
seconds="${1:-60}"
[ $# -gt 0 ] && shift
swift build -c debug --sanitize=fuzzer --sanitize=address --product FuzzSyncFrame \
    >.build/fuzz-build.log 2>&1 || { grep -E "error" .build/fuzz-build.log; exit 1; }
binary="$(swift build -c debug --sanitize=fuzzer --sanitize=address --show-bin-path)/FuzzSyncFrame"
mkdir -p corpus-work out
# swift-backtrace would hold the pipe open after a crash; libFuzzer reports instead.
SWIFT_BACKTRACE=enable=no "$binary" corpus-work seeds \
    -max_total_time="$seconds" -max_len=9000 -artifact_prefix=out/ -print_final_stats=1 "$@"
