"""Planner speed and memory on seeded synthetic clusters of 10x60, 100x600 and 1,000x20,000.

Each case (cluster size x workflow) runs in its own subprocess, so one case's memory never
inflates the next: the worker builds the cluster (benchmarks/synthetic.py, seed 0), then times
parsing the snapshot and planning, reads its peak RSS (getrusage), and only then replays the plan
with plan_check.violations (timed separately: the replay is the slow part at 1,000 hosts).

- drain: min(10, hosts // 10) hosts (at least one), compute-0 upwards;
- evacuate: compute-0, forced down in the snapshot so it is really planned;
- rebalance: threshold objective, max_cpu_util 0.6.

`--compare REF` runs every case also with the planner at git revision REF, in the same run,
alternating, so the ratio of times is meaningful on a shared machine.

    python benchmarks/plan_scale.py [--quick] [--compare REF] [--repeat N]
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import common
import synthetic

SIZES = ((10, 60), (100, 600), (1000, 20000))
QUICK_SIZES = ((10, 60), (100, 600))
WORKFLOWS = ("drain", "evacuate", "rebalance")
TARGET_SECONDS, TARGET_MIB = 30.0, 2048.0


def _rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def worker(hosts, instances, workflow):
    """One case in this process; prints a JSON record."""
    from ansible_collections.vmops.migration.plugins.module_utils import plan_check, planner
    from ansible_collections.vmops.migration.plugins.module_utils.snapshot import parse_snapshot
    data = synthetic.cluster(hosts, instances, seed=0)
    names = [host["name"] for host in data["hosts"]]
    if workflow == "evacuate":
        data["hosts"][0].update(state="down", forced_down=True)
    arguments = {"drain": (names[:max(1, min(10, hosts // 10))], {}),
                 "evacuate": (names[:1], {}),
                 "rebalance": (None, {"max_cpu_util": 0.6})}[workflow]
    input_rss = _rss_mib()
    started = time.perf_counter()
    snapshot = parse_snapshot(data)
    parsed = time.perf_counter()
    plan = planner.plan(snapshot, workflow, *arguments)
    planned = time.perf_counter()
    peak_rss = _rss_mib()
    found = plan_check.violations(snapshot, plan)
    checked = time.perf_counter()
    json.dump({"hosts": hosts, "instances": len(data["instances"]), "workflow": workflow,
               "parse_seconds": round(parsed - started, 3), "plan_seconds": round(planned - parsed, 3),
               "check_seconds": round(checked - planned, 3), "input_rss_mib": round(input_rss, 1),
               "peak_rss_mib": round(peak_rss, 1), "moves": len(plan["moves"]), "blocked": len(plan["blocked"]),
               "feasible": plan["feasible"], "peak_after": plan["metrics"]["after"]["peak"],
               "violations": len(found)}, sys.stdout)


def run_case(path, hosts, instances, workflow):
    env = dict(os.environ, PYTHONPATH=path)
    done = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker", str(hosts), str(instances), workflow],
                          stdout=subprocess.PIPE, text=True, env=env, check=True)
    return json.loads(done.stdout)


def measure(sizes, compare, repeat):
    paths = [("planner", common.collection_path())]
    if compare:
        paths.append(("planner@" + compare, common.collection_path(compare)))
    records = []
    for hosts, instances in sizes:
        for workflow in WORKFLOWS:
            runs = {name: [] for name, _ in paths}
            for _ in range(repeat):
                for name, path in paths:  # alternate, so both see the same machine
                    runs[name].append(run_case(path, hosts, instances, workflow))
            for name, found in runs.items():
                best = min(found, key=lambda record: record["parse_seconds"] + record["plan_seconds"])
                best["planner"] = name
                best["plan_seconds_all"] = [record["plan_seconds"] for record in found]
                records.append(best)
                print("  %s %dx%d %s: plan %.2f s" % (name, hosts, instances, workflow, best["plan_seconds"]),
                      file=sys.stderr, flush=True)
    return records


def rows(records):
    out = []
    for record in records:
        out.append(["%d x %d" % (record["hosts"], record["instances"]), record["workflow"], record["planner"],
                    "%.2f" % record["parse_seconds"], "%.2f" % record["plan_seconds"], "%.0f" % record["peak_rss_mib"],
                    record["moves"], record["blocked"], "%.2f" % record["check_seconds"], record["violations"]])
    return out


def verdict(records):
    big = [r for r in records if r["hosts"] >= 1000 and r["workflow"] in ("drain", "rebalance") and r["planner"] == "planner"]
    return {
        "big_cases": len(big),
        "time_ok": all(r["parse_seconds"] + r["plan_seconds"] < TARGET_SECONDS for r in big),
        "memory_ok": all(r["peak_rss_mib"] < TARGET_MIB for r in big),
        "no_violations": all(r["violations"] == 0 for r in records),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the two small clusters only (CI)")
    parser.add_argument("--compare", metavar="REF", help="also run the planner at git revision REF")
    parser.add_argument("--repeat", type=int, default=1, help="runs per case; the fastest is reported")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(int(args.worker[0]), int(args.worker[1]), args.worker[2])
    started = time.perf_counter()
    records = measure(QUICK_SIZES if args.quick else SIZES, args.compare, args.repeat)
    print("## Planner scale (one subprocess per case)\n")
    print(common.table(["hosts x instances", "workflow", "planner", "parse s", "plan s", "peak RSS MiB", "moves",
                        "blocked", "replay check s", "violations"], rows(records)))
    if args.compare:
        print("\nPlan time ratio (planner / planner@%s), same run:\n" % args.compare)
        pairs = {}
        for record in records:
            pairs.setdefault((record["hosts"], record["workflow"]), {})[record["planner"]] = record["plan_seconds"]
        print(common.table(["hosts", "workflow", "ratio"], [
            [hosts, workflow, "%.2f" % (times["planner"] / times["planner@" + args.compare])]
            for (hosts, workflow), times in pairs.items() if min(times.values()) >= 0.05]))
    result = verdict(records)
    print("\nTargets (1,000-host drain and rebalance: parse + plan < %d s, peak RSS < %d MiB; no violations): %s"
          % (TARGET_SECONDS, TARGET_MIB, ", ".join("%s=%s" % item for item in sorted(result.items()))))
    seconds = time.perf_counter() - started
    path = common.write_results("plan_scale", {
        "revision": common.revision(), "compare": args.compare, "quick": args.quick, "repeat": args.repeat,
        "machine": common.machine(), "seconds": round(seconds, 1), "targets": result, "cases": records}, args.quick)
    print("\n%d cases in %.1f s; results in %s" % (len(records), seconds, os.path.relpath(path, common.ROOT)))
    return 0 if result["no_violations"] else 1


if __name__ == "__main__":
    sys.exit(main())
