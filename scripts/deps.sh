#!/usr/bin/env bash
# Install what novu-console needs from Debian's archive (and, with --test,
# what its tests need, including npm tools). Safe to run again: it only asks
# apt for packages that are missing.
set -euo pipefail
build_pkgs=(build-essential cmake pkg-config git libncurses-dev libcurl4-openssl-dev ca-certificates
            libcjson-dev libreadline-dev libsqlite3-dev libmicrohttpd-dev libinih-dev)
# clang and its runtime for the libFuzzer targets (tests/fuzz): the runtime
# is only a Recommends of clang, and Recommends are not installed here.
test_pkgs=(libcriterion-dev tmux valgrind curl jq python3 procps clang libclang-rt-14-dev)
want=("${build_pkgs[@]}")
[ "${1:-}" = "--test" ] && want+=("${test_pkgs[@]}")
# Node.js and npm for the contract tests: only when absent (a machine that
# already has a Node.js of its own must not get Debian's on top).
if [ "${1:-}" = "--test" ] && ! command -v npm >/dev/null 2>&1; then
  want+=(nodejs npm)
fi
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  echo "installing: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
