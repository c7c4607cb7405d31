#!/usr/bin/env bash
# setup.sh - install the contract tests' npm tools (Stoplight Prism, Novu's
# Node SDK) into tests/contract/node_modules, exactly as package-lock.json
# pins them. Quiet; does nothing when node_modules already matches the lock.
#
# The pins run on Debian 12's Node.js 18.19 as well as on Node 20:
# @stoplight/prism-cli 5.7.0 is the newest Prism whose engines accept Node 18
# below 18.20 (5.8 and later ask for >=18.20.1, 5.14+ for Node 24), and the
# `overrides` in package.json hold its @stoplight/prism-* parts at the same
# release (their ^ ranges would otherwise pull parts that need Node 24).
# @novu/api 3.18.2 is the SDK release CONTRACT.md was written against.
set -euo pipefail
cd "$(dirname "$0")"

for tool in node npm; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "tests/contract/setup.sh: $tool is missing (scripts/deps.sh --test installs it)" >&2
		exit 1
	fi
done

# The stamp is the hash of what npm ci installs from, plus the Node.js major
# version (a different Node may need a fresh install).
stamp=$( (cat package.json package-lock.json; node -p 'process.versions.node.split(".")[0]') |
	sha256sum | cut -d' ' -f1)
if [ -f node_modules/.nc-stamp ] && [ "$(cat node_modules/.nc-stamp)" = "$stamp" ] &&
	[ -x node_modules/.bin/prism ] && [ -d node_modules/@novu/api ]; then
	exit 0
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "tests/contract: installing npm tools (npm ci)" >&2
# A few tries: a registry time-out is not a 'no'.
for attempt in 1 2 3; do
	if npm ci --no-audit --no-fund --loglevel=error >"$log" 2>&1; then
		echo "$stamp" >node_modules/.nc-stamp
		exit 0
	fi
	sleep $((attempt * 5))
done
cat "$log" >&2
echo "tests/contract/setup.sh: npm ci failed" >&2
exit 1
