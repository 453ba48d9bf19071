#!/usr/bin/env bash
# The test command: installs what the tests need, builds, runs every test.
# Tests that need root (network namespaces) or ../shared (third-party captures) skip with a
# message where those are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/install-deps.sh --test
swift build --build-tests
swift test --skip-build "$@"
