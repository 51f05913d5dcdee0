#!/usr/bin/env bash
# Regenerates .sqlx/, the metadata that lets the checked sqlx queries (query!, query_as!) compile
# without a database. Run it after changing a query or a migration, and commit .sqlx/.
# It migrates a scratch database on the server DATABASE_URL names (default: the local one) and
# compiles crates/iam against it. Usage: scripts/sqlx-prepare.sh [OUTPUT_DIR]   (default .sqlx)
set -euo pipefail
cd "$(dirname "$0")/.."
base="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
server="${base%/*}"
db="gatehouse_sqlx_prepare_$$"
out="${1:-.sqlx}"
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac

psql "$base" -qXc "create database $db" >/dev/null
trap 'psql "$base" -qXc "drop database if exists $db" >/dev/null' EXIT
for migration in migrations/*.sql; do
  psql "$server/$db" -qX -v ON_ERROR_STOP=1 -f "$migration" >/dev/null
done
rm -rf "$out"
mkdir -p "$out"
# A changed source file makes cargo compile the crate again, so every query macro runs and saves.
touch crates/iam/src/lib.rs
SQLX_OFFLINE=false SQLX_OFFLINE_DIR="$out" DATABASE_URL="$server/$db" \
  cargo check -q -p gatehouse-iam --all-targets
touch crates/iam/src/lib.rs
echo "wrote $(ls "$out" | wc -l) query files to $out"
