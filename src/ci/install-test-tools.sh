#!/usr/bin/env bash
# Installs what the end-to-end tests need beyond a JDK and Maven, from Debian's packages:
# tcpdump (the wire checks capture loopback traffic) and chromium (the HTML report is rendered headless).
set -euo pipefail

missing=()
command -v tcpdump >/dev/null 2>&1 || missing+=(tcpdump)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-tools: need root to install ${missing[*]} (sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
