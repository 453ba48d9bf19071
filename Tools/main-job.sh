#!/usr/bin/env bash
# The main job: build pfsyncd (release) and run it on a capture the project made itself.
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/install-deps.sh
swift build -c release --product pfsyncd
bin="$(swift build -c release --show-bin-path)/pfsyncd"
fixture=Tests/Fixtures/pfsync-vectors.pcap
echo "== pfsyncd decode $fixture"
"$bin" decode "$fixture"
echo "== pfsyncd decode $fixture --json (first 5 lines)"
"$bin" decode "$fixture" --json | head -n 5
