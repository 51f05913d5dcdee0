#!/usr/bin/env bash
# Builds the release site and runs Gatehouse on http://127.0.0.1:3000 (GATEHOUSE_ADDR to change),
# on the embedded private Postgres in ./.gatehouse unless DATABASE_URL is set. Installs the
# build tools it needs first. Extra arguments go to `gatehouse serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh --no-browser
export PATH="$HOME/.cargo/bin:$PATH"
cargo leptos build --release
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$PWD/target/site}"
exec "$target_dir/release/gatehouse" serve "$@"
