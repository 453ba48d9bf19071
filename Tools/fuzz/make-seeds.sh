#!/bin/sh
# Regenerates Tools/fuzz/seeds: frames of every kind and hand-built pfsync packets (written by
# the fuzz binary itself), plus every pfsync packet in Tests/Fixtures/pfsync/pfsync-raw.pcap.
set -eu
cd "$(dirname "$0")"
mkdir -p .build
swift build -c debug --sanitize=fuzzer --sanitize=address --product FuzzSyncFrame \
    >.build/fuzz-build.log 2>&1 || { grep -E "error" .build/fuzz-build.log; exit 1; }
binary="$(swift build -c debug --sanitize=fuzzer --sanitize=address --show-bin-path)/FuzzSyncFrame"
rm -rf seeds && mkdir -p seeds
SWIFT_BACKTRACE=enable=no PFSYNCD_FUZZ_WRITE_SEEDS="$PWD/seeds" "$binary"
python3 - ../../Tests/Fixtures/pfsync/pfsync-raw.pcap seeds <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
little = data[:4] == b"\xd4\xc3\xb2\xa1"
fmt = "<IIII" if little else ">IIII"
offset, count = 24, 0
while offset + 16 <= len(data):
    _, _, caplen, _ = struct.unpack(fmt, data[offset:offset + 16])
    packet = data[offset + 16:offset + 16 + caplen]
    offset += 16 + caplen
    if not packet:
        continue
    if packet[0] >> 4 == 4:
        payload = packet[(packet[0] & 15) * 4:]
    elif packet[0] >> 4 == 6:
        payload = packet[40:]
    else:
        continue
    open("%s/pcap-%03d" % (sys.argv[2], count), "wb").write(payload)
    count += 1
print("extracted %d pfsync packets" % count)
PY
