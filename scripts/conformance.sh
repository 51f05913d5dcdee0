#!/usr/bin/env bash
# The client conformance suite (conformance/test_clients.py): boto3 and the aws CLI, installed
# from PyPI into a virtual environment, drive a running Gatehouse through its IAM API.
# It starts the given gatehouse binary on a fresh database (made on the server DATABASE_URL
# names, dropped afterwards), bootstraps an account and a root access key with the gatehouse CLI,
# and runs pytest. Usage: scripts/conformance.sh [GATEHOUSE_BIN]   (default: the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

venv="${GATEHOUSE_VENV:-$HOME/.cache/gatehouse/venv}"
scripts/python-env.sh "$venv"

target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bin="${1:-$target_dir/release/gatehouse}"
[ -x "$bin" ] || { echo "no gatehouse binary at $bin: build first (cargo leptos build --release)" >&2; exit 1; }

db_base="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
db="gatehouse_conformance_$$"
work=$(mktemp -d /tmp/gatehouse-conformance.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  psql "$db_base" -qXc "drop database if exists $db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

psql "$db_base" -qXc "create database $db" >/dev/null
export DATABASE_URL="${db_base%/*}/$db"
export GATEHOUSE_DATA="$work/data"
"$bin" account create --alias conformance --root-email root@conformance.example --json > "$work/account.json"
"$bin" access-key create --account conformance --root --json > "$work/key.json"
field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval('d' + sys.argv[2]))" "$@"; }

RUST_LOG=warn "$bin" serve --addr "127.0.0.1:$port" > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.5; done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/server.log" >&2; exit 1; }

GATEHOUSE_ENDPOINT="http://127.0.0.1:$port" \
GATEHOUSE_ACCOUNT=$(field "$work/account.json" "['accountId']") \
AWS_ACCESS_KEY_ID=$(field "$work/key.json" "['AccessKey']['AccessKeyId']") \
AWS_SECRET_ACCESS_KEY=$(field "$work/key.json" "['AccessKey']['SecretAccessKey']") \
AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
PATH="$venv/bin:$PATH" \
  "$venv/bin/python" -m pytest -q -p no:cacheprovider conformance/ || { tail -50 "$work/server.log" >&2; exit 1; }
