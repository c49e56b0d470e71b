#!/usr/bin/env bash
# npm test: type check, formatting (prettier --check), lint, then every test file (unit, store on SQLite and PostgreSQL,
# time-skipping server, dev server), then the fault suite (npm run test:faults).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== typecheck"; npx tsc --noEmit
echo "== format"; npx prettier --check --log-level warn "**/*.{ts,mts,js,mjs,cjs}"
echo "== lint"; npx eslint .
echo "== tests"; npx vitest run "$@"
# the fault suite (test/faults/, about 5 min) times recoveries, so it runs alone, after the rest;
# a run limited to some files (`npm test -- test/x.test.ts`) leaves it out
if [ "$#" -eq 0 ]; then echo "== fault suite"; npm run --silent test:faults; fi
