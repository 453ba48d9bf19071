#!/bin/sh
# Regenerates Tools/fuzz/seeds: frames of every kind and hand-built pfsync packets (written by
# the fuzz binary itself), plus every pfsync packet in Tests/Fixtures/pfsync/pfsync-raw.pcap;
# and Tools/fuzz/seeds-packet (FuzzPacket): the project's own captures, a TCP session per seed.
set -eu
cd "$(dirname "$0")"
mkdir -p .build
. ./build-flags.sh
# shellcheck disable=SC2086
swift build $FUZZ_BUILD_FLAGS --product FuzzSyncFrame >.build/fuzz-build.log 2>&1 \
    || { grep -E "error" .build/fuzz-build.log; exit 1; }
# shellcheck disable=SC2086
binary="$(swift build $FUZZ_BUILD_FLAGS --show-bin-path)/FuzzSyncFrame"
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

# FuzzEngine seeds: the pfsync packets (with and without a delta section).
rm -rf seeds-engine && mkdir -p seeds-engine
cp seeds/pfsync-* seeds/pcap-* seeds-engine/

# FuzzPacket seeds: selector byte (link type index 0 = Ethernet; 0x80 = sloppy), then the
# frames of one flow, each with a u16 length. From the project's own netns capture.
rm -rf seeds-packet && mkdir -p seeds-packet
python3 - ../../Tests/Fixtures/captures/netns-mixed.pcap seeds-packet <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
little = data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1")
fmt = "<IIII" if little else ">IIII"
linktype = struct.unpack("<I" if little else ">I", data[20:24])[0]
assert linktype == 1, "expects an Ethernet capture"
flows, offset = {}, 24
while offset + 16 <= len(data):
    _, _, caplen, _ = struct.unpack(fmt, data[offset:offset + 16])
    frame = data[offset + 16:offset + 16 + caplen]
    offset += 16 + caplen
    if len(frame) < 34 or frame[12:14] != b"\x08\x00":
        continue
    ip = frame[14:]
    ends = sorted([ip[12:16] + ip[20:22], ip[16:20] + ip[22:24]])
    flows.setdefault((ip[9], ends[0], ends[1]), []).append(frame)
written = 0
for index, frames in enumerate(list(flows.values())[:40]):
    for selector in (0x00, 0x80):
        body = bytes([selector]) + b"".join(struct.pack(">H", len(f)) + f for f in frames[:24])
        open("%s/flow-%02d-%s" % (sys.argv[2], index, "sloppy" if selector else "strict"), "wb").write(body)
        written += 1
print("wrote %d packet seeds" % written)
PY
