#!/usr/bin/env bash
# A key pasted in the wrong place (an option, a command name, the
# environment, a profile's value, section or key name) is never printed
# back: every message hides it and still names the field and the fix.
set -eu
. "$(dirname "$0")/../lib/testlib.sh"

KEY=0123456789abcdef0123456789abcdef   # the shape of a Novu secret key
T="$NC_TMP/t"
P="$NOVU_CONSOLE_CONFIG_DIR/profiles"

# expect_hidden NAME FIELD_PATTERN FIX_PATTERN: after run_nc "$T" ...
expect_hidden() {
  expect_rc "$1: usage or config error" 2 "$T"
  expect_no_grep "$1: the key is not echoed" "$KEY" "$T.out" "$T.err"
  expect_grep "$1: names the field" "$2" "$T.err"
  expect_grep "$1: says how to fix it" "$3" "$T.err"
}

# --- on the command line and in the environment
run_nc "$T" --api-url "$KEY" workflows
expect_hidden "--api-url" '--api-url' 'must start with https://'

run_nc "$T" --profile "$KEY" workflows
expect_hidden "--profile" 'no profile named' 'create .*profiles/'

run_nc "$T" "$KEY"
expect_hidden "unknown command" 'unknown command' 'usage: novu-console'

(export NOVU_API_URL="$KEY"; run_nc "$T" workflows; echo $RC > "$T.rc")
RC=$(cat "$T.rc")
expect_hidden "NOVU_API_URL" 'NOVU_API_URL' 'must start with https://'

# --- in a profile
profile_case() { # NAME INI FIELD FIX
  printf '%b\n' "$2" > "$P/pasted.ini"
  run_nc "$T" --profile pasted workflows
  expect_hidden "$1" "$3" "$4"
}
profile_case "region value" "[api]\nregion = $KEY" "'region' in \\[api\\]" 'region = us or region = eu'
profile_case "timeout value" "[http]\ntimeout = $KEY" "'timeout' in \\[http\\]" 'whole number from 1 to'
profile_case "read_only value" "[safety]\nread_only = $KEY" "'read_only' in \\[safety\\]" 'true or false'
profile_case "section name" "[$KEY]" 'unknown section' 'the sections are \[api\]'
profile_case "key name" "[api]\n$KEY = 1" 'unknown key' 'the keys there are region, url'

# --- the configured key, even when it does not look like one
export NOVU_SECRET_KEY=plain-words-secret
run_nc "$T" plain-words-secret
expect_rc "configured key as a command: usage error" 2 "$T"
expect_no_grep "configured key as a command: not echoed" plain-words-secret "$T.out" "$T.err"
expect_grep "configured key as a command: names the problem" 'unknown command' "$T.err"

finish
