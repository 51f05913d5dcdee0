#!/usr/bin/env bash
# Runs every Gatehouse test and ends with one summary line:
#   formatting, clippy for the server build and (separately) the wasm32 frontend build and
#   policy engine, unit + Postgres-backed + HTTP tests (cargo test; DATABASE_URL names a Postgres server on
#   which the tests may create databases), the release build, the client conformance suite
#   (boto3 and the aws CLI from PyPI against that build's IAM API), and the Playwright
#   end-to-end tests in Chromium against that build on the embedded Postgres default.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh
export PATH="$HOME/.cargo/bin:$PATH"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
log=$(mktemp -d /tmp/gatehouse-test-log.XXXXXX)
step() { printf '\n=== %s\n' "$*"; }

step "formatting"
cargo fmt --all -- --check

step "sqlx query metadata (.sqlx) is current"
scripts/sqlx-prepare.sh "$log/sqlx"
if ! diff -r .sqlx "$log/sqlx"; then
  echo ".sqlx/ is out of date: run scripts/sqlx-prepare.sh and commit .sqlx/" >&2
  exit 1
fi

step "clippy: server build (and the policy engine's benchmarks, so they keep compiling)"
cargo clippy -p gatehouse-policy -p gatehouse-policy-bench -p gatehouse-iam -p app -p server --all-targets -- -D warnings

step "clippy: wasm32 frontend build and the policy engine for the browser"
cargo clippy -p frontend -p app --target wasm32-unknown-unknown -- -D warnings
cargo clippy -p gatehouse-policy --target wasm32-unknown-unknown -- -D warnings

step "unit, policy rules, Postgres and HTTP tests"
cargo test -p gatehouse-policy -p gatehouse-iam -p app -p server 2>&1 | tee "$log/cargo.txt"

step "release build"
cargo leptos build --release
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')

step "client conformance: boto3 and the aws CLI against the release build's IAM API"
scripts/conformance.sh "$target_dir/release/gatehouse" 2>&1 | tee "$log/conformance.txt"

step "end-to-end tests (Playwright, Chromium)"
e2e_data=$(mktemp -d /tmp/gatehouse-e2e.XXXXXX)
# The embedded cluster runs as an unprivileged account when we are root: it must reach the directory.
chmod 755 "$e2e_data"
cleanup() {
  # Stop the e2e cluster if the server left it running (it stops it on a clean shutdown).
  for bin in /usr/lib/postgresql/*/bin/pg_ctl; do
    [ -d "$e2e_data/postgres" ] && [ -x "$bin" ] || continue
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$bin" stop -D "$e2e_data/postgres" -m immediate >/dev/null 2>&1 || true
    else "$bin" stop -D "$e2e_data/postgres" -m immediate >/dev/null 2>&1 || true; fi
  done
  rm -rf "$e2e_data"
}
trap cleanup EXIT
(
  cd end2end
  env -u DATABASE_URL GATEHOUSE_E2E_DATA="$e2e_data" GATEHOUSE_BIN="$target_dir/release/gatehouse" \
    LEPTOS_SITE_ROOT="$PWD/../target/site" npx playwright test
) 2>&1 | tee "$log/e2e.txt"

cargo_passed=$(grep -Eo 'test result: ok\. [0-9]+ passed' "$log/cargo.txt" | awk '{s+=$4} END {print s+0}')
e2e_passed=$(grep -Eo '^ *[0-9]+ passed' "$log/e2e.txt" | awk '{s+=$1} END {print s+0}')
conformance_passed=$(grep -Eo '[0-9]+ passed' "$log/conformance.txt" | tail -1 | awk '{print $1+0}')
rm -rf "$log"
printf '\nsummary: %d passed, 0 failed (cargo test %d, client conformance %d, end-to-end %d)\n' \
  "$((cargo_passed + conformance_passed + e2e_passed))" "$cargo_passed" "$conformance_passed" "$e2e_passed"
