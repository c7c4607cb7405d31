#!/usr/bin/env bash
# The core stays UI-free and the screens stay network-free.
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0
if grep -rlE '#\s*include\s*[<"](n?curses|ncursesw/|curses|readline/)' src cli; then
  echo "lint: src/ and cli/ must not include curses or readline" >&2; fail=1
fi
if grep -rlE '\bcurl_(easy|multi|global|url)_|#\s*include\s*<curl/' ui; then
  echo "lint: ui/ must not call libcurl; go through the core (api.h)" >&2; fail=1
fi
exit $fail
