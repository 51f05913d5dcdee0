#!/usr/bin/env python3
"""Where the machine's CPU time went during a benchmark phase, from /proc, in clock ticks:
the server's hashing threads (argon2-N), the rest of the server, Postgres (every postgres
process), everything else (the load tool, the kernel's own work) and idle time.

  bench-cpu.py snap SERVER_PID          prints a snapshot (JSON)
  bench-cpu.py diff BEFORE AFTER COUNT  prints the milliseconds per request between two
                                        snapshots, COUNT being the requests served meanwhile
"""
import json, os, sys
def ticks(stat_path):
    with open(stat_path) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])
def snap(server_pid):
    out = {"hash": 0, "server": 0, "postgres": 0}
    for tid in os.listdir(f"/proc/{server_pid}/task"):
        try:
            name = open(f"/proc/{server_pid}/task/{tid}/comm").read().strip()
            t = ticks(f"/proc/{server_pid}/task/{tid}/stat")
        except OSError:
            continue
        out["hash" if name.startswith("argon2-") else "server"] += t
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if open(f"/proc/{pid}/comm").read().strip() == "postgres":
                out["postgres"] += ticks(f"/proc/{pid}/stat")
        except OSError:
            pass
    cpu = open("/proc/stat").readline().split()[1:]
    values = list(map(int, cpu))
    out["idle"] = values[3] + values[4]
    out["busy"] = sum(values[:8]) - out["idle"]
    return out
if sys.argv[1] == "snap":
    print(json.dumps(snap(sys.argv[2])))
else:
    a, b, count = json.loads(sys.argv[2]), json.loads(sys.argv[3]), float(sys.argv[4])
    ms = lambda k: (b[k] - a[k]) * 1000 / os.sysconf("SC_CLK_TCK") / max(count, 1)
    other = ms("busy") - ms("hash") - ms("server") - ms("postgres")
    print(f"hash {ms('hash'):.2f} server {ms('server'):.2f} postgres {ms('postgres'):.2f} other {other:.2f} idle {ms('idle'):.2f}")
