"""Orchestration cost per migration: one nova_live_migrate call moving every server of a host.

Near-instant migrations in the Nova twin (links of 1,000,000 MiB/s, 64 MiB guests with 1 GB
disks that dirty nothing), so what is left of a move is the work of Nova and of the client.
The module (run directly, as ansible runs it on the controller) live-migrates all N servers
of `src` to `dst` in ONE call with the module's defaults: one move at a time per source and two
more handed to Nova, which queues them and starts each the moment one ends (handing Nova all N at
once makes Nova itself slow: its resource tracker walks every migration in progress at each
update, some 5 s per migration with 200 queued), and the module watches each migration until its
record ends.

Nova's own time is read from its migration records: from the first one created to the last one
updated (ended). What the call takes beyond that span is the client's: start-up, reading and
checking the servers and the target, and noticing the last end. Reported per server: the call's
wall time, Nova's span, the difference (the orchestration overhead; target < 50 ms) and the
module process's CPU seconds.

    python benchmarks/overhead.py [--quick]
"""

import argparse
import datetime
import os
import sys
import time

import common
import twin_runs

TARGET_S = 0.05
SERVERS = 200
QUICK_SERVERS = 10


def fleet(servers):
    return {
        "host_defaults": {"bandwidth_mibps": 1000000},
        "hosts": [{"name": "src"}, {"name": "dst"}],
        "flavors": [{"name": "b.tiny", "vcpus": 1, "ram": 64, "disk": 1}],
        "servers": [{"name": "tiny-%03d" % i, "flavor": "b.tiny", "host": "src", "metadata": {"sim_dirty_mibps": 0}}
                    for i in range(servers)],
    }


def module_run(twin):
    """The module call: (wall s, CPU s of the module process, its result)."""
    before = os.times()
    result, wall = twin_runs.run_module(twin.env(), "nova_live_migrate",
                                        {"cloud": twin.cloud, "host": "src", "target": "dst"})
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu, result


def nova_span(conn, known):
    """Seconds from the first live migration created to the last one ended, from Nova's records."""
    records = [migration for migration in conn.compute.migrations(migration_type="live-migration") if migration.id not in known]
    created = min(datetime.datetime.fromisoformat(migration.created_at) for migration in records)
    ended = max(datetime.datetime.fromisoformat(migration.updated_at) for migration in records)
    return (ended - created).total_seconds()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="%d servers instead of %d (CI)" % (QUICK_SERVERS, SERVERS))
    parser.add_argument("--servers", type=int, help="another number of servers")
    args = parser.parse_args()
    servers = args.servers or (QUICK_SERVERS if args.quick else SERVERS)
    started = time.monotonic()
    with twin_runs.Twin(fleet(servers), 1.0) as twin:
        known = {migration.id for migration in twin.conn.compute.migrations()}
        wall, cpu, result = module_run(twin)
        span = nova_span(twin.conn, known)
        twin_start = twin.start_seconds
    by_status = result.get("summary", {}).get("by_status", {})
    completed = by_status.get("completed", 0)
    overhead = (wall - span) / servers
    row = {"servers": servers, "module_wall_s": round(wall, 2), "module_cpu_s": round(cpu, 2), "completed": completed,
           "module_failed": result.get("failed", False), "nova_span_s": round(span, 2),
           "module_s_per_server": round(wall / servers, 4), "nova_s_per_server": round(span / servers, 4),
           "overhead_s_per_server": round(overhead, 4), "module_cpu_s_per_server": round(cpu / servers, 4)}
    met = completed == servers and overhead < TARGET_S
    print("One nova_live_migrate call moving %d near-instant servers (%s)\n" % (servers, common.revision()))
    print(common.table(
        ["servers", "completed", "call wall s", "Nova span s", "call s/server", "Nova s/server", "overhead s/server",
         "module CPU s/server"],
        [[servers, completed, row["module_wall_s"], row["nova_span_s"], row["module_s_per_server"], row["nova_s_per_server"],
          row["overhead_s_per_server"], row["module_cpu_s_per_server"]]]))
    print("\noverhead < %.0f ms per server: %s" % (TARGET_S * 1000, "yes" if met else "**no**"))
    total = time.monotonic() - started
    print("(total %.0f s, of which the twin's start %.0f s)" % (total, twin_start))
    path = common.write_results("overhead", {"revision": common.revision(), "machine": common.machine(), "row": row,
                                             "target_s_per_server": TARGET_S, "target_met": met,
                                             "total_wall_s": round(total, 1), "twin_start_s": round(twin_start, 1)},
                                args.quick)
    print("results: %s" % os.path.relpath(path, common.ROOT))
    return 0 if completed == servers else 1


if __name__ == "__main__":
    sys.exit(main())
