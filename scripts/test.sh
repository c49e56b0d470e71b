#!/usr/bin/env bash
# npm test: type check, lint, then every test file (unit, store on SQLite and PostgreSQL,
# time-skipping server, dev server). Prints one closing summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== typecheck"; npx tsc --noEmit
echo "== lint"; npx eslint .
echo "== tests"; npx vitest run "$@"
