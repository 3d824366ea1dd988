"""Drain makespan in the Nova twin: the collection against a sequential script and fire-all.

One seeded fleet: the drained hosts hold guests of four sizes (2-16 GiB RAM, local disks, so
every move is a block live migration) with dirty rates of 10-700 MiB/s (the twin's
`sim_dirty_mibps` metadata); receiving hosts of two sizes start empty; every link runs at 1000 MiB/s.
The computes run with live_migration_completion_timeout 10 s per GiB (nova.conf [libvirt], action
abort): a 700 MiB/s guest converges alone on a link but not on a link shared with another move,
and is then aborted by Nova, as an operator's tighter timeout would do.
Each method gets a fresh twin of that same fleet at the same time factor (so each starts from
the same placement) and drains the same hosts:

- planner: the collection as an operator runs it, `ansible-playbook playbooks/drain_compute.yml`
  (the drain_node role: nova_cluster_facts, the drain_plan filter, nova_compute_service,
  nova_apply_plan), with the role's defaults;
- sequential: what common drain scripts do with openstacksdk: disable the computes, then one
  server at a time, live-migrate with no host (the scheduler picks), wait for its migration
  record to end, next;
- fire-all: what `nova host-evacuate-live` does: disable the computes, request every live
  migration at once with no host, wait for all.

Makespan runs from the first live migration Nova recorded to the last one it ended, by Nova's own
timestamps, so no method's poll interval counts (wall seconds; simulated = wall x time factor);
the span the client saw, from its first request to the last end it noticed, is reported beside it.
The lower bound is that of the moves actually made (`lower_bound` below). Failures count the
twin's failed and aborted live migrations.

    python benchmarks/drain_makespan.py [--quick] [--time-factor F] [--per-host N]
"""

import argparse
import datetime
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

import common
import twin_runs

common.use_collection()

from ansible_collections.vmops.migration.plugins.module_utils import physics  # noqa: E402

BANDWIDTH_MIBPS = 1000.0
DOWNTIME_S = 0.5  # the twin's and Nova's default max downtime
POLL_S = 2.0  # the drain_node role's default poll interval, used by the baselines too
FLAVORS = [
    {"name": "b.small", "vcpus": 1, "ram": 2048, "disk": 2},
    {"name": "b.medium", "vcpus": 2, "ram": 4096, "disk": 4},
    {"name": "b.large", "vcpus": 4, "ram": 8192, "disk": 8},
    {"name": "b.xlarge", "vcpus": 8, "ram": 16384, "disk": 16},
]
SIZE_MIX = ["b.small", "b.medium", "b.large", "b.small", "b.medium", "b.xlarge"]
DIRTY_MIBPS = [10, 50, 150, 300, 700]
COMPLETION_TIMEOUT_S_PER_GIB = 10
TARGETS = {"ratio_to_lower_bound": 1.15, "speedup_over_sequential": 3.0}
# Nova's own work between two migrations of a source is wall time, so compressing simulated time
# multiplies its weight against the transfers: the full case runs uncompressed, CI's quick one at 5.
TIME_FACTORS = {False: 1.0, True: 5.0}
CASES = {False: {"drained": 3, "per_host": 20, "big_receivers": 4, "small_receivers": 2},
         True: {"drained": 1, "per_host": 10, "big_receivers": 2, "small_receivers": 1}}


def fleet(drained, per_host, big_receivers, small_receivers, seed=0):
    """The fleet file: drain-N hosts full of mixed guests, empty recv-N hosts (some half size)."""
    rng = random.Random(seed)
    hosts = [{"name": "drain-%d" % i} for i in range(drained)]
    hosts += [{"name": "recv-%d" % i} for i in range(big_receivers)]
    hosts += [{"name": "recv-%d" % i, "vcpus": 32, "memory_mb": 131072}
              for i in range(big_receivers, big_receivers + small_receivers)]
    servers = [{"name": "vm-%d-%02d" % (h, i), "flavor": SIZE_MIX[i % len(SIZE_MIX)], "host": "drain-%d" % h,
                "metadata": {"sim_dirty_mibps": rng.choice(DIRTY_MIBPS)}}
               for h in range(drained) for i in range(per_host)]
    return {"host_defaults": {"bandwidth_mibps": BANDWIDTH_MIBPS}, "hosts": hosts, "flavors": FLAVORS, "servers": servers,
            "libvirt": {"live_migration_completion_timeout": COMPLETION_TIMEOUT_S_PER_GIB}}


def lower_bound(moves, servers, flavors, bandwidth_of):
    """Seconds no schedule of these moves can beat, from the pre-copy model the twin runs.

    Each move copies its local disk, then memory rounds until the rest fits the downtime
    (`physics.precopy` at the full bandwidth of its slower end: the fewest bytes it can send).
    The bound is the largest of: the longest single move; each source's bytes over its
    bandwidth; each target's bytes over its bandwidth (`physics.lower_bound`). With Nova's one
    live migration at a time per source and equal links, the source term is the sum of its
    moves' durations. `moves`: dicts with name, source, target; `servers`: name -> fleet entry.
    """
    transfers = []
    for move in moves:
        source_bw, target_bw = bandwidth_of(move["source"]), bandwidth_of(move["target"])
        estimate = alone(move, servers, flavors, min(source_bw, target_bw))
        transfers.append(physics.Transfer(move["source"], move["target"], estimate.copied_mib, source_bw, target_bw))
    return physics.lower_bound(transfers)


def alone(move, servers, flavors, bandwidth):
    """The move alone on its link: the fewest bytes and seconds it can take (physics.Estimate)."""
    server = servers[move["name"]]
    flavor = flavors[server["flavor"]]
    return physics.precopy(flavor["ram"], float(server["metadata"]["sim_dirty_mibps"]), bandwidth, DOWNTIME_S, flavor["disk"])


def critical_source(transfers, requested_at, time_factor):
    """Where the makespan went on the source whose last transfer ended last (simulated seconds).

    `transfers`: the twin's ended transfers of this run. lead: first request to that source's
    first transfer; transfer: its transfers' own simulated seconds (more than alone on the link
    when a target was shared); between: the gaps between its transfers, which is Nova's own
    work per migration (post of one, pre-checks and pre_live_migration of the next) and any
    wait for the orchestrator's next request.
    """
    if not transfers:
        return {}
    last = max(transfers, key=lambda item: item["ended"])
    mine = sorted((item for item in transfers if item["source"] == last["source"]), key=lambda item: item["began"])
    between = sum(max(0.0, after["began"] - before["ended"]) for before, after in zip(mine, mine[1:]))
    return {"source": last["source"], "transfers": len(mine),
            "lead_sim_s": round((mine[0]["began"] - requested_at) * time_factor, 1),
            "transfer_sim_s": round(sum(item["simulated_s"] for item in mine), 1),
            "between_sim_s": round(between * time_factor, 1)}


def peak_utilisation(spec, where, drained):
    """(CPU, RAM) allocation of the busiest receiving host, as fractions of its vCPUs and RAM."""
    flavors = {flavor["name"]: flavor for flavor in spec["flavors"]}
    flavor_of = {server["name"]: flavors[server["flavor"]] for server in spec["servers"]}
    used = {}
    for name, host in where.items():
        cpu, ram = used.get(host, (0, 0))
        used[host] = (cpu + flavor_of[name]["vcpus"], ram + flavor_of[name]["ram"])
    hosts = {host["name"]: host for host in spec["hosts"]}
    receivers = [host for host in used if host not in drained]
    cpu = max((used[host][0] / hosts[host].get("vcpus", 64) for host in receivers), default=0.0)
    ram = max((used[host][1] / hosts[host].get("memory_mb", 262144) for host in receivers), default=0.0)
    return cpu, ram


# ------------------------------------------------------------------------------- the methods

def run_planner(twin, drained):
    """The drain_node role through its playbook; the moves from the report it writes."""
    reports = tempfile.mkdtemp(prefix="vmops-bench-reports-")
    playbook = os.path.join(common.ROOT, "playbooks", "drain_compute.yml")
    extra = {"drain_hosts": drained, "vmops_cloud": twin.cloud}
    try:
        subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), playbook, "-e", json.dumps(extra)],
                       env=dict(twin.env(), VMOPS_REPORT_DIR=reports), check=False, stdout=subprocess.DEVNULL)
        name = next(name for name in os.listdir(reports) if name.endswith("-report.json"))
        with open(os.path.join(reports, name), encoding="utf-8") as handle:
            report = json.load(handle)
    finally:
        shutil.rmtree(reports, ignore_errors=True)
    moves = []
    for move in report["moves"]:
        started = datetime.datetime.fromisoformat(move["started_at"]).timestamp() if move["started_at"] else None
        moves.append({"name": move["name"], "source": move["source"], "target": move["target"], "status": move["result"],
                      "requested": started, "ended": started + move["seconds"] if started is not None else None})
    return moves


def run_sequential(twin, drained):
    twin_runs.disable_computes(twin.conn, drained, "benchmark: sequential drain")
    watch = twin_runs.Watch(twin.conn)
    for name, server_id, host in twin_runs.servers_on(twin.conn, drained):
        watch.request(server_id, name, host)
        watch.wait(POLL_S, [server_id])
    return watch.results()


def run_fire_all(twin, drained):
    twin_runs.disable_computes(twin.conn, drained, "benchmark: fire-all drain")
    watch = twin_runs.Watch(twin.conn)
    for name, server_id, host in twin_runs.servers_on(twin.conn, drained):
        watch.request(server_id, name, host)
    watch.wait(POLL_S)
    return watch.results()


METHODS = {"planner": run_planner, "sequential": run_sequential, "fire-all": run_fire_all}


def measure(method, spec, drained, time_factor):
    """Run `method` in a fresh twin of the fleet and measure it."""
    with twin_runs.Twin(spec, time_factor) as twin:
        before = twin.counters()
        moves = METHODS[method](twin, drained)
        after = twin.counters()
        where = twin_runs.placement(twin.conn)
        transfers = twin.control.transfers()
        span = twin_runs.nova_span(twin.conn)
    done = [move for move in moves if move["status"] == "completed"]
    for move in done:
        move["target"] = where[move["name"]]  # where the server really is now
    servers = {server["name"]: server for server in spec["servers"]}
    flavors = {flavor["name"]: flavor for flavor in spec["flavors"]}
    bound = lower_bound(done, servers, flavors, lambda host: BANDWIDTH_MIBPS)
    times = [move for move in moves if move["requested"] is not None and move["ended"] is not None]
    first_request = min((move["requested"] for move in times), default=0.0)
    seen = max(move["ended"] for move in times) - first_request if times else 0.0
    wall = span if span is not None else seen
    cpu, ram = peak_utilisation(spec, where, drained)
    critical = critical_source(transfers, first_request, time_factor)
    if critical:
        critical["alone_sim_s"] = round(sum(alone(move, servers, flavors, BANDWIDTH_MIBPS).seconds
                                            for move in done if move["source"] == critical["source"]), 1)
    row = {
        "method": method, "twin_start_s": round(twin.start_seconds, 1), "moves": len(moves), "completed": len(done),
        "failed_or_aborted": sum(after.get(key, 0) - before.get(key, 0) for key in ("failed", "aborted")),
        "timed_out": after.get("timed_out", 0) - before.get("timed_out", 0),
        "left_on_drained": sum(1 for host in where.values() if host in drained),
        "makespan_wall_s": round(wall, 2), "makespan_sim_s": round(wall * time_factor, 1),
        "seen_by_client_sim_s": round(seen * time_factor, 1),
        "lower_bound_sim_s": round(bound, 1), "ratio_to_lower_bound": round(wall * time_factor / bound, 3) if bound else None,
        "peak_receiver_cpu": round(cpu, 3), "peak_receiver_ram": round(ram, 3),
        "critical_source": critical,
    }
    print("  %s" % json.dumps(row, sort_keys=True), file=sys.stderr, flush=True)  # a failed run still shows its rows
    return row


def verdicts(rows):
    """Target name -> met?, from one run's rows."""
    by = {row["method"]: row for row in rows}
    ours = by["planner"]
    return {
        "ratio_to_lower_bound <= %.2f" % TARGETS["ratio_to_lower_bound"]:
            ours["ratio_to_lower_bound"] is not None and ours["ratio_to_lower_bound"] <= TARGETS["ratio_to_lower_bound"],
        ">= %.0fx faster than sequential" % TARGETS["speedup_over_sequential"]:
            by["sequential"]["makespan_wall_s"] >= TARGETS["speedup_over_sequential"] * ours["makespan_wall_s"],
        "fewer failures than fire-all": ours["failed_or_aborted"] < by["fire-all"]["failed_or_aborted"],
        "every server left the drained hosts": ours["left_on_drained"] == 0,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one host of 10 servers (CI)")
    parser.add_argument("--time-factor", type=float,
                        help="simulated seconds per wall second, for all methods (1, or 5 with --quick)")
    parser.add_argument("--per-host", type=int, help="servers per drained host instead of the case's")
    args = parser.parse_args()
    args.time_factor = args.time_factor or TIME_FACTORS[args.quick]
    case = dict(CASES[args.quick])
    case["per_host"] = args.per_host or case["per_host"]
    spec = fleet(**case)
    drained = ["drain-%d" % i for i in range(case["drained"])]
    started = time.monotonic()
    rows = [measure(method, spec, drained, args.time_factor) for method in METHODS]
    sequential = next(row for row in rows if row["method"] == "sequential")["makespan_wall_s"]
    for row in rows:
        row["speedup_over_sequential"] = round(sequential / row["makespan_wall_s"], 2) if row["makespan_wall_s"] else None
    met = verdicts(rows)
    headers = ["method", "moves", "completed", "failed/aborted", "left on drained hosts", "makespan sim s", "makespan wall s",
               "client saw sim s", "lower bound sim s", "makespan / lower bound", "speed-up vs sequential",
               "peak receiver CPU", "peak receiver RAM"]
    print("Drain of %d host(s) x %d servers, time factor %g (%s)\n" % (case["drained"], case["per_host"], args.time_factor,
                                                                      common.revision()))
    print(common.table(headers, [[row["method"], row["moves"], row["completed"], row["failed_or_aborted"], row["left_on_drained"],
                                  row["makespan_sim_s"], row["makespan_wall_s"], row["seen_by_client_sim_s"],
                                  row["lower_bound_sim_s"],
                                  row["ratio_to_lower_bound"], row["speedup_over_sequential"],
                                  "%.0f %%" % (100 * row["peak_receiver_cpu"]), "%.0f %%" % (100 * row["peak_receiver_ram"])]
                                 for row in rows]))
    print("\nWhere the makespan went, on the source whose last transfer ended last (simulated s): lead = first"
          " request to its first transfer; transfers = their own seconds; alone = the same moves alone on their links;"
          " between = gaps between its transfers (Nova's work per migration, waits for the next request)\n")
    print(common.table(["method", "source", "transfers", "lead", "transfers s", "alone s", "between s"],
                       [[row["method"]] + [row["critical_source"].get(key) for key in
                                           ("source", "transfers", "lead_sim_s", "transfer_sim_s", "alone_sim_s",
                                            "between_sim_s")] for row in rows]))
    print()
    print(common.table(["target", "met"], [[name, "yes" if ok else "**no**"] for name, ok in met.items()]))
    total = time.monotonic() - started
    print("\n(total %.0f s, of which twin starts %s s)" % (total, " + ".join("%.0f" % row["twin_start_s"] for row in rows)))
    path = common.write_results("drain_makespan", {
        "revision": common.revision(), "machine": common.machine(), "case": case, "time_factor": args.time_factor,
        "bandwidth_mibps": BANDWIDTH_MIBPS, "poll_interval_s": POLL_S, "rows": rows, "targets": met,
        "total_wall_s": round(total, 1),
    }, args.quick)
    print("results: %s" % os.path.relpath(path, common.ROOT))
    return 0 if met["every server left the drained hosts"] else 1


if __name__ == "__main__":
    sys.exit(main())
