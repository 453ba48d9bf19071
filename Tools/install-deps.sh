#!/usr/bin/env bash
# Installs the Debian packages pfsyncd builds and tests with. Safe to run again.
# Usage: Tools/install-deps.sh [--test]   (--test adds the tools the test suite drives)
set -euo pipefail
packages=(libpcap-dev liblz4-dev pkg-config)
if [[ "${1:-}" == "--test" ]]; then
    packages+=(tshark tcpdump iproute2 iptables nftables python3 ucarp iputils-arping nginx apache2-utils curl)
fi
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    SUDO=""
    [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    echo "installing: ${missing[*]}" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
