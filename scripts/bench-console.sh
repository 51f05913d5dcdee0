#!/usr/bin/env bash
# The console's load run (docs/performance.md): an account with 100,000 users, 300 groups and
# 1,500 policies made by `gatehouse seed`; the release build serving it; wrk over loopback
# fetching the server-rendered Users list (50 rows) and name searches at 50 connections, once
# signed in as the root user (never evaluates a policy) and once as seed-admin (an IAM user whose
# every decision evaluates 16 policies), so the difference is what page authorization costs:
# printed at the end as the CPU time per page of each, which varies less between runs than
# requests/s.
#
# Needs the release build (`cargo leptos build --release`), wrk (installed from Debian's packages
# if missing) and a Postgres server named by DATABASE_URL on which it may create the database
# gatehouse_bench (dropped and made again each run).
# Usage: scripts/bench-console.sh   (SEED_USERS, SEED_GROUPS, SEED_POLICIES, CONNECTIONS, DURATION, ADDR override)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

users=${SEED_USERS:-100000}
groups=${SEED_GROUPS:-300}
policies=${SEED_POLICIES:-1500}
connections=${CONNECTIONS:-50}
duration=${DURATION:-30}
addr=${ADDR:-127.0.0.1:3999}
base_url="http://$addr"
db_base="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
db_server="${db_base%/*}"
db=gatehouse_bench

if ! command -v wrk >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq wrk >/dev/null
fi
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bin="$target_dir/release/gatehouse"
[ -x "$bin" ] || { echo "build first: cargo leptos build --release" >&2; exit 1; }

work=$(mktemp -d /tmp/gatehouse-bench.XXXXXX)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

psql "$db_base" -qXc "drop database if exists $db" -c "create database $db" >/dev/null
export DATABASE_URL="$db_server/$db"
json() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$@"; }

"$bin" account create --alias bench --root-email root@bench.example --json > "$work/account.json"
started=$(date +%s.%N)
"$bin" seed --account bench --users "$users" --groups "$groups" --policies "$policies" --json > "$work/seed.json"
seeded=$(date +%s.%N)
# Statistics for the planner, and the seeded pages written out, before anything is timed.
psql "$DATABASE_URL" -qXc "vacuum analyze" -c "checkpoint" >/dev/null
printf 'seeded %s users, %s groups, %s policies in %.1f s\n' "$users" "$groups" "$policies" \
  "$(python3 -c "print($seeded - $started)")"

RUST_LOG=warn LEPTOS_SITE_ROOT="$PWD/target/site" "$bin" serve --addr "$addr" > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 60); do curl -sf "$base_url/healthz" >/dev/null && break; sleep 0.5; done

# Signs in and prints the session cookie.
sign_in() { # path, form fields...
  local path=$1; shift
  local args=()
  for field in "$@"; do args+=(--data-urlencode "$field"); done
  curl -sf -o /dev/null -c "$work/jar" -H "Origin: $base_url" "${args[@]}" "$base_url$path"
  awk '$6 == "gatehouse-session" { print $6 "=" $7 }' "$work/jar"
}
root_cookie=$(sign_in /api/sign_in_root "email=root@bench.example" "password=$(json "$work/account.json" rootPassword)")
admin_cookie=$(sign_in /api/sign_in "account=bench" "user_name=seed-admin" "password=$(json "$work/seed.json" password)")

# What the load run fetches must be the real page: check one answer of each before timing.
check() { # cookie, path, text the page must contain
  local body
  body=$(curl -sf -H "Cookie: $1" "$base_url$2")
  grep -q "$3" <<<"$body" || { echo "unexpected page for $2 (no '$3')" >&2; exit 1; }
}
check "$root_cookie" /users "Create user"
check "$admin_cookie" /users "Create user"
check "$admin_cookie" "/users?search=kowalski" "kowalski"
check "$admin_cookie" "/users?search=ada.kowalski1" "ada.kowalski1"

# Each page is measured as root and then as seed-admin, back to back, so that the two compare
# under the same conditions; with the CPU time per page of the server and of Postgres
# (scripts/bench-cpu.py), a steadier measure than requests/s of what a page costs.
printf '\n%-11s %-28s %10s %9s %9s  %-42s %s\n' principal page requests/s p50 p99 "CPU ms per page" errors
: > "$work/rows.txt"
for path in "/users" "/users?search=kowalski" "/users?search=ada.kowalski1"; do
  for who in root seed-admin; do
    cookie=$root_cookie
    [ "$who" = seed-admin ] && cookie=$admin_cookie
    # A warm-up, then the measured run.
    wrk -t1 -c"$connections" -d5s -H "Cookie: $cookie" "$base_url$path" >/dev/null
    before=$(python3 scripts/bench-cpu.py snap "$server_pid")
    wrk -t1 -c"$connections" -d"${duration}s" --latency -H "Cookie: $cookie" "$base_url$path" > "$work/wrk.txt"
    after=$(python3 scripts/bench-cpu.py snap "$server_pid")
    requests=$(awk '/requests in/ { print $1 }' "$work/wrk.txt")
    cpu=$(python3 scripts/bench-cpu.py diff "$before" "$after" "$requests" | sed 's/^hash [0-9.]* //')
    rps=$(awk '/^Requests\/sec/ { print $2 }' "$work/wrk.txt")
    p50=$(awk '$1 == "50%" { print $2 }' "$work/wrk.txt")
    p99=$(awk '$1 == "99%" { print $2 }' "$work/wrk.txt")
    errors=$(awk '/Non-2xx|Socket errors/ { $1 = $1; printf "%s; ", $0 }' "$work/wrk.txt")
    printf '%-11s %-28s %10s %9s %9s  %-42s %s\n' "$who" "$path" "$rps" "$p50" "$p99" "$cpu" "${errors:-0}"
    echo "$who $path $cpu" >> "$work/rows.txt"
  done
done

# What page authorization adds: the busy CPU time per page (server, Postgres and the rest) of
# seed-admin, whose every decision evaluates its 16 policies, against root's, which evaluates none.
echo
python3 - "$work/rows.txt" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    who, path, *rest = line.split()
    fields = dict(zip(rest[0::2], map(float, rest[1::2])))
    rows[(who, path)] = fields["server"] + fields["postgres"] + fields["other"]
for path in dict.fromkeys(path for _, path in rows):
    root, admin = rows[("root", path)], rows[("seed-admin", path)]
    print(f"page authorization on {path}: {admin:.2f} ms of CPU per page against {root:.2f} ms as root ({100 * (admin - root) / root:+.1f}%)")
PY
