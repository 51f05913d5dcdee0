#!/usr/bin/env bash
# The IAM API benchmark (docs/performance.md, issue 6's speed goal): the same boto3 workload
# (bench/api_workload.py: CreateUser, GetUser, ListUsers of 1,000 users, AttachUserPolicy,
# SimulatePrincipalPolicy) against Gatehouse's release build, with SigV4 verification and
# authorization on, and then against moto's server (PyPI moto[server], the IAM emulator users
# would otherwise pick), in one run on this machine. boto3 makes and signs every request; wrk
# replays them (see the workload's header for why). Prints each side's successful calls per
# second and the ratio. Needs the release build, wrk (installed from Debian's packages if
# missing) and a Postgres server named by DATABASE_URL (a scratch database is made and dropped);
# by default the machine's own, over its Unix socket, as the embedded default connects to its
# private cluster (DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres measures TCP instead).
# Usage: scripts/bench-api.sh [GATEHOUSE_BIN]   (DURATION seconds per operation, default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
duration=${DURATION:-10}
connections=16
threads=2
venv="${GATEHOUSE_VENV:-$HOME/.cache/gatehouse/venv}"
scripts/python-env.sh "$venv"
command -v wrk >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq wrk >/dev/null
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bin="${1:-$target_dir/release/gatehouse}"
[ -x "$bin" ] || { echo "build first: cargo leptos build --release" >&2; exit 1; }

db_base="${DATABASE_URL:-postgres://postgres@%2Fvar%2Frun%2Fpostgresql/postgres}"
db="gatehouse_bench_api"
work=$(mktemp -d /tmp/gatehouse-bench-api.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
wait_for() { for _ in $(seq 120); do curl -s -o /dev/null "$1" && return 0; sleep 0.5; done; echo "$1 did not answer" >&2; exit 1; }

# run_workload LABEL ENDPOINT KEY SECRET: prints "op calls_ok seconds" lines into $work/LABEL.txt
run_workload() {
  local label=$1
  export BENCH_ENDPOINT=$2 AWS_ACCESS_KEY_ID=$3 AWS_SECRET_ACCESS_KEY=$4
  "$venv/bin/python" bench/api_workload.py setup > "$work/context.json"
  export BENCH_CONTEXT="$work/context.json"
  : > "$work/$label.txt"
  for op in CreateUser GetUser ListUsers AttachUserPolicy SimulatePrincipalPolicy; do
    count=1000
    # Enough distinct new users for 15,000 calls a second: a repeated name fails and does not
    # count (the summary says so if a run used them all).
    [ "$op" = CreateUser ] && count=$((duration * 15000))
    [ "$op" = ListUsers ] && count=$threads
    # moto answers one ListUsers of 1,000 at a time, 16 queued: a first answer can take over
    # 10 s, and wrk counts only the answers within its run, so ListUsers runs three times as long.
    op_duration=$duration
    [ "$op" = ListUsers ] && op_duration=$((duration * 3))
    "$venv/bin/python" bench/api_workload.py prepare "$op" "$count" "$work/requests.lua"
    REQUESTS="$work/requests.lua" WRK_THREADS=$threads \
      wrk -t"$threads" -c"$connections" -d"${op_duration}s" --timeout 30s --latency -s bench/replay.lua "$BENCH_ENDPOINT" > "$work/wrk.txt" 2>&1
    python3 - "$op" "$work/wrk.txt" "$count" >> "$work/$label.txt" <<'PY'
import re, sys
op, text = sys.argv[1], open(sys.argv[2]).read()
total, secs = re.search(r"(\d+) requests in ([\d.]+)(m?s)", text).group(1, 2)
unit = re.search(r"\d+ requests in [\d.]+(m?s)", text).group(1)
secs = float(secs) / (1000 if unit == "ms" else 1)
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
ok = int(total) - (int(bad.group(1)) if bad else 0)
p99 = re.search(r"99%\s+([\d.]+\w+)", text)
print(op, ok, secs, p99.group(1) if p99 else "?")
if op == "CreateUser" and ok >= int(sys.argv[3]):
    print(f"CreateUser used all {sys.argv[3]} prepared names: its rate is capped; prepare more", file=sys.stderr)
PY
  done
}

# Gatehouse
psql "$db_base" -qXc "drop database if exists $db" -c "create database $db" >/dev/null
export DATABASE_URL="${db_base%/*}/$db"
export GATEHOUSE_DATA="$work/data"
"$bin" account create --alias bench --root-email root@bench.example --json > /dev/null 2>&1
"$bin" access-key create --account bench --root --json > "$work/key.json" 2>/dev/null
port=$(free_port)
RUST_LOG=warn "$bin" serve --addr "127.0.0.1:$port" > "$work/gatehouse.log" 2>&1 &
pid=$!
wait_for "http://127.0.0.1:$port/healthz"
key() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['AccessKey'][sys.argv[2]])" "$work/key.json" "$1"; }
run_workload gatehouse "http://127.0.0.1:$port" "$(key AccessKeyId)" "$(key SecretAccessKey)"
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
psql "$db_base" -qXc "drop database if exists $db" >/dev/null

# moto (it accepts any credentials and checks no signature)
port=$(free_port)
"$venv/bin/moto_server" -p "$port" > "$work/moto.log" 2>&1 &
pid=$!
wait_for "http://127.0.0.1:$port/moto-api/"
run_workload moto "http://127.0.0.1:$port" AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

python3 - "$work/gatehouse.txt" "$work/moto.txt" "$connections" "$duration" <<'PY'
import sys
def load(path):
    return {op: (int(ok) / float(secs), p99) for op, ok, secs, p99 in (l.split() for l in open(path))}
g, m = load(sys.argv[1]), load(sys.argv[2])
print(f"IAM API, boto3-signed requests replayed by wrk at {sys.argv[3]} connections, {sys.argv[4]} s each")
print(f"{'operation':<26}{'Gatehouse/s':>12}{'p99':>9}{'moto/s':>10}{'p99':>9}{'ratio':>8}")
for op, (gs, gp) in g.items():
    ms, mp = m[op]
    ratio = f"{gs / ms:.1f}x" if ms > 0 else "moto: none"
    print(f"{op:<26}{gs:>12.1f}{gp:>9}{ms:>10.1f}{mp:>9}{ratio:>8}")
# The whole workload: 1,000 each of CreateUser, GetUser and AttachUserPolicy and one ListUsers
# (SimulatePrincipalPolicy is left out: moto does not implement it), timed at each side's rates.
mix = {"CreateUser": 1000, "GetUser": 1000, "AttachUserPolicy": 1000, "ListUsers": 1}
seconds = lambda side: sum(n / side[op][0] for op, n in mix.items())
if all(m[op][0] > 0 and g[op][0] > 0 for op in mix):
    print(f"whole workload: Gatehouse {seconds(g):.2f} s, moto {seconds(m):.2f} s, ratio {seconds(m) / seconds(g):.1f}x")
PY
