# Sourced by run.sh and make-seeds.sh. `--sanitize=fuzzer` alone gives the Swift modules no
# coverage counters with swift 6.3.1 (libFuzzer then sees only the C code: about 50 edges);
# the explicit coverage kinds below are the ones current libFuzzer reads.
FUZZ_BUILD_FLAGS="-c debug --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp"
