#!/usr/bin/env bash
# npm test: type check, formatting (prettier --check), lint, layering (dependency-cruiser), file and
# handler sizes, the dependency picture of docs/architecture.md, then every test file (unit, store on SQLite and PostgreSQL,
# time-skipping server, dev server), then the fault suite (npm run test:faults).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== typecheck"; npx tsc --noEmit
echo "== format"; npx prettier --check --log-level warn "**/*.{ts,mts,js,mjs,cjs}"
echo "== lint"; npx eslint .
echo "== layers"; npm run --silent lint:layers
echo "== sizes"; npm run --silent lint:sizes
echo "== dependency picture"; npm run --silent docs:layers -- --check
echo "== tests"; npx vitest run "$@"
# the fault suite (test/faults/, about 5 min) times recoveries, so it runs alone, after the rest;
# a run limited to some files (`npm test -- test/x.test.ts`) leaves it out
if [ "$#" -eq 0 ]; then echo "== fault suite"; npm run --silent test:faults; fi
