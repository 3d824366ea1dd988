"""Plan quality against an exact optimum (integer program solved by PuLP + CBC, benchmark only).

Small seeded synthetic clusters (benchmarks/synthetic.py, no pinned or huge-page guests, so
the integer program and the planner judge the same constraints):

- rebalance, threshold objective, max_cpu_util 0.7 / 0.6 / 0.5 / 0.4: the planner's move count
  against the fewest moves that bring every host to CPU demand <= threshold x CPUs and RAM <=
  max_ram_util x RAM while fitting capacity (VCPU, MEMORY_MB, DISK_GB with allocation ratios);
- drain of one or two hosts: the peak CPU utilisation over the receiving (candidate) hosts
  against the smallest possible peak, with two baselines: "scheduler-like" (each guest in turn to
  the host with most free RAM, as Nova's default RAM weigher) and "Watcher-like" (every guest onto
  one backup host while it fits, then the next).

Every plan, baselines included, is replayed by plan_check.violations. Pairs of (guest, host) that
a static rule blocks (CPU model, convergence, ...) are excluded from the program as from the
planner. `--compare REF` also runs the planner as it was at git revision REF in the same run.

    python benchmarks/plan_quality.py [--quick] [--compare REF]
"""

import argparse
import json
import math
import os
import subprocess
import sys
import time

import common
import synthetic

common.use_collection()

from ansible_collections.vmops.migration.plugins.module_utils import plan_check  # noqa: E402
from ansible_collections.vmops.migration.plugins.module_utils.constraints.catalogue import (  # noqa: E402
    check_move, instance_reasons, is_blocked,
)
from ansible_collections.vmops.migration.plugins.module_utils.load import Load, cpu_demand  # noqa: E402
from ansible_collections.vmops.migration.plugins.module_utils.snapshot import parse_snapshot  # noqa: E402
from ansible_collections.vmops.migration.plugins.module_utils.targeting import Cluster, default_move_type  # noqa: E402

THRESHOLDS = (0.7, 0.6, 0.5, 0.4)
MAX_RAM_UTIL = 0.9  # the planner's default, used by the program too
TARGET = 1.05
DYNAMIC_CODES = {"INSUFFICIENT_VCPU", "INSUFFICIENT_RAM", "INSUFFICIENT_DISK", "NUMA_CAPACITY"}
SOLVER_SECONDS = 60
DRAIN_GAP = 0.0


# ---------------------------------------------------------------- the planner, in a subprocess

def worker():
    """Read [{"workflow", "snapshot", "hosts", "options"}] on stdin, print the plans."""
    from ansible_collections.vmops.migration.plugins.module_utils import planner
    cases = json.load(sys.stdin)
    json.dump([planner.plan(case["snapshot"], case["workflow"], case.get("hosts"), case.get("options")) for case in cases],
              sys.stdout)


def run_planner(cases, ref=None):
    env = dict(os.environ, PYTHONPATH=common.collection_path(ref))
    done = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker"], input=json.dumps(cases),
                          stdout=subprocess.PIPE, text=True, env=env, check=True)
    return json.loads(done.stdout)


# ---------------------------------------------------------------- the exact optimum

def _allowed(snapshot, candidates):
    """{instance id: [hosts it may go to besides its own]} by every rule except room (the program's job)."""
    cluster = Cluster(snapshot)
    allowed = {}
    for instance in snapshot.instances:
        move_type = default_move_type(instance)
        if instance.numa_bound or is_blocked(instance_reasons(cluster.context(instance, None, move_type))):
            allowed[instance.id] = []
            continue
        allowed[instance.id] = [name for name in candidates if name != instance.host and not any(
            reason.severity == "block" and reason.code not in DYNAMIC_CODES
            for reason in check_move(cluster.context(instance, name, move_type)))]
    return allowed


def _program(snapshot, allowed, must_move=()):
    """(problem, x) with x[(instance id, host)] binary and every capacity row."""
    import pulp
    problem = pulp.LpProblem("plan", pulp.LpMinimize)
    x = {}
    for instance in snapshot.instances:
        homes = [] if instance.id in must_move else [instance.host]
        for name in homes + allowed[instance.id]:
            x[instance.id, name] = pulp.LpVariable("x_%d_%d" % (len(x), 0), cat="Binary")
        problem += pulp.lpSum(x[instance.id, name] for name in homes + allowed[instance.id]) == 1
    return problem, x


def _capacity_rows(problem, snapshot, x, cpu_limit=None, ram_limit=None):
    import pulp
    by_id = snapshot.instance_by_id
    for host in snapshot.hosts:
        here = [(by_id[iid], var) for (iid, name), var in x.items() if name == host.name]
        ram_cap = max(host.memory_mib - host.reserved_memory_mib, 0)
        problem += pulp.lpSum(i.vcpus * v for i, v in here) <= host.vcpus * host.cpu_allocation_ratio
        problem += pulp.lpSum(i.memory_mib * v for i, v in here) <= ram_cap * host.ram_allocation_ratio
        problem += pulp.lpSum(i.local_disk_gib * v for i, v in here) <= host.disk_gib * host.disk_allocation_ratio
        if cpu_limit is not None:
            problem += pulp.lpSum(cpu_demand(i) * v for i, v in here) <= cpu_limit * host.vcpus
        if ram_limit is not None:
            problem += pulp.lpSum(i.memory_mib * v for i, v in here) <= ram_limit * ram_cap


def _solve(problem, gap=None):
    """(status, seconds, proven lower bound of the objective from CBC's log)."""
    import pulp
    import tempfile
    started = time.perf_counter()
    with tempfile.NamedTemporaryFile("r", suffix=".log") as log:
        problem.solve(pulp.PULP_CBC_CMD(msg=0, timeLimit=SOLVER_SECONDS, gapRel=gap, logPath=log.name))
        bound = [line.split(":")[1] for line in log.read().splitlines() if line.startswith("Lower bound:")]
    status = pulp.LpStatus[problem.status] if problem.sol_status == pulp.LpSolutionOptimal else \
        pulp.LpSolution[problem.sol_status]
    objective = pulp.value(problem.objective)
    return status, time.perf_counter() - started, float(bound[0]) if bound else objective


def fewest_moves(snapshot, threshold):
    """(moves or None when infeasible, solver status, seconds)."""
    import pulp
    candidates = [host.name for host in snapshot.hosts if host.accepts_guests]
    allowed = _allowed(snapshot, candidates)
    problem, x = _program(snapshot, allowed)
    problem += pulp.lpSum(var for (iid, name), var in x.items() if name != snapshot.instance_by_id[iid].host)
    _capacity_rows(problem, snapshot, x, threshold, MAX_RAM_UTIL)
    status, seconds, _ = _solve(problem)
    return (round(pulp.value(problem.objective) or 0) if status == "Optimal" else None), status, seconds


def lowest_drain_peak(snapshot, drained):
    """(proven lower bound of the smallest peak CPU utilisation over receiving hosts, status, seconds).

    A receiving host is one that gets at least one guest (y[h] = 1): the peak counts the hosts the
    plan chose, so a host that was already hot and is left alone does not hide the choice. Solved
    to the exact optimum (DRAIN_GAP 0; these small programs take seconds); should CBC hit its time
    limit, the bound it proved is the denominator, so ratios err against the planner.
    """
    import pulp
    candidates = [host.name for host in snapshot.hosts if host.accepts_guests and host.name not in drained]
    allowed = _allowed(snapshot, candidates)
    leaving = {i.id for name in drained for i in snapshot.instances_on(name) if allowed[i.id]}
    for instance in snapshot.instances:
        if instance.id not in leaving:  # only the drained guests move; blocked ones stay (reported blocked)
            allowed[instance.id] = []
    problem, x = _program(snapshot, allowed, leaving)
    peak = pulp.LpVariable("peak", lowBound=0)
    problem += peak
    _capacity_rows(problem, snapshot, x)
    by_id = snapshot.instance_by_id
    for host in snapshot.hosts:
        if host.name not in candidates:
            continue
        arriving = [var for (iid, name), var in x.items() if name == host.name and iid in leaving]
        if not arriving:
            continue
        receives = pulp.LpVariable("y_%s" % host.name.replace("-", "_"), cat="Binary")
        for var in arriving:
            problem += receives >= var
        here = [(by_id[iid], var) for (iid, name), var in x.items() if name == host.name]
        big = host.cpu_allocation_ratio  # CPU utilisation never exceeds the allocation ratio
        problem += pulp.lpSum(cpu_demand(i) * v for i, v in here) <= (peak + big * (1 - receives)) * host.vcpus
    status, seconds, bound = _solve(problem, DRAIN_GAP)
    return (bound if status in ("Optimal", "Solution Found") else None), status, seconds


def receiving_peak_cpu(snapshot, plan):
    """Highest CPU utilisation, after the plan, of the hosts the plan sends guests to."""
    load = Load(snapshot)
    by_id = snapshot.instance_by_id
    where = {}
    for move in plan["moves"]:
        instance = by_id[move["instance"]]
        load.move(instance, where.get(instance.id, instance.host), move["target"])
        where[instance.id] = move["target"]
    return max((load.util(move["target"])[0] for move in plan["moves"]), default=0.0)


# ---------------------------------------------------------------- baselines

def _baseline(snapshot, drained, pick):
    """Moves of every guest off `drained`, each to `pick(cluster, instance, fitting hosts)`."""
    cluster = Cluster(snapshot)
    candidates = [host.name for host in snapshot.hosts if host.accepts_guests and host.name not in drained]
    moves = []
    for name in drained:
        for instance in snapshot.instances_on(name):
            move_type = default_move_type(instance)
            fitting = [target for target in candidates
                       if not is_blocked(check_move(cluster.context(instance, target, move_type)))]
            if not fitting:
                continue
            target = pick(cluster, instance, fitting)
            moves.append({"instance": instance.id, "source": name, "target": target, "type": move_type})
            cluster.apply(instance, target)
    return {"moves": moves}


def scheduler_like(snapshot, drained):
    """Nova's default weighing in effect: the host with the most free RAM, one guest at a time."""
    return _baseline(snapshot, drained, lambda cluster, instance, fitting:
                     max(fitting, key=lambda name: (cluster.capacity[name].ram, name)))


def watcher_like(snapshot, drained):
    """One backup host (most free RAM first) takes guests while they fit, then the next."""
    order = []

    def pick(cluster, instance, fitting):
        if not order:
            order.extend(sorted(fitting, key=lambda name: (-cluster.capacity[name].ram, name)))
        return next(name for name in order if name in fitting)
    return _baseline(snapshot, drained, pick)


# ---------------------------------------------------------------- measures

def clusters(quick):
    """(label, snapshot dict) for rebalance and for drain."""
    seeds = range(3) if quick else range(12)
    sizes = (6, 8) if quick else (6, 8, 10)
    rebalance, drain = [], []
    for seed in seeds:
        hosts = sizes[seed % len(sizes)]
        # Rebalance: hosts filled unevenly (skew), so some are over the thresholds.
        rebalance.append(("%dh-s%d" % (hosts, seed), synthetic.cluster(
            hosts, hosts * 10, seed=seed, load=0.45, host_scale=0.25, skew=0.6, special=False)))
        # Drain: evenly filled hosts, so where the guests land decides the peak.
        drain.append(("%dh-s%d" % (hosts, seed), synthetic.cluster(
            hosts, hosts * 10, seed=100 + seed, load=0.5, host_scale=0.25, special=False)))
    return rebalance, drain


def measure(quick, compare):
    rebalance_clusters, drain_clusters = clusters(quick)
    planners = [("planner", None)] + ([("planner@" + compare, compare)] if compare else [])
    cases = []
    for label, data in rebalance_clusters:
        for threshold in THRESHOLDS:
            cases.append({"kind": "rebalance", "cluster": label, "snapshot": data, "workflow": "rebalance",
                          "options": {"max_cpu_util": threshold}, "threshold": threshold})
    for label, data in drain_clusters:
        host_count = len(data["hosts"])
        for drained in (["compute-0"], ["compute-1", "compute-%d" % (host_count // 2)]):
            cases.append({"kind": "drain", "cluster": label, "snapshot": data, "workflow": "drain", "hosts": drained})
    plans = {name: run_planner(cases, ref) for name, ref in planners}
    parsed = {}
    records = []
    for index, case in enumerate(cases):
        snapshot = parsed.setdefault(case["cluster"] + case["kind"], parse_snapshot(case["snapshot"]))
        record = {key: case[key] for key in ("kind", "cluster") if key in case}
        record["instances"] = len(snapshot.instances)
        if case["kind"] == "rebalance":
            record["threshold"] = case["threshold"]
            record["optimum"], record["solver"], record["solver_seconds"] = fewest_moves(snapshot, case["threshold"])
            for name, _ in planners:
                plan = plans[name][index]
                record[name] = {"moves": len(plan["moves"]), "resolved": not plan["metrics"]["unresolved_hosts"],
                                "violations": plan_check.violations(snapshot, plan)}
        else:
            drained = case["hosts"]
            record["drained"] = drained
            record["optimum"], record["solver"], record["solver_seconds"] = lowest_drain_peak(snapshot, drained)
            methods = {name: plans[name][index] for name, _ in planners}
            methods["scheduler-like"] = scheduler_like(snapshot, drained)
            methods["watcher-like"] = watcher_like(snapshot, drained)
            leaving = sum(len(snapshot.instances_on(name)) for name in drained)
            for name, plan in methods.items():
                record[name] = {"peak_cpu": round(receiving_peak_cpu(snapshot, plan), 4),
                                "moved": len(plan["moves"]), "left_behind": leaving - len(plan["moves"]),
                                "violations": plan_check.violations(snapshot, plan)}
        records.append(record)
    return records, [name for name, _ in planners]


def summarise(records, planners):
    rebalance_rows, drain_rows, verdicts = [], [], {}
    for threshold in THRESHOLDS:
        mine = [r for r in records if r["kind"] == "rebalance" and r["threshold"] == threshold]
        feasible = [r for r in mine if r["optimum"] is not None]
        for name in planners:
            within = sum(1 for r in feasible if r[name]["resolved"] and r[name]["moves"] <= math.ceil(TARGET * r["optimum"]))
            unresolved = sum(1 for r in feasible if not r[name]["resolved"])
            ratios = [r[name]["moves"] / r["optimum"] for r in feasible if r["optimum"] and r[name]["resolved"]]
            violations = sum(len(r[name]["violations"]) for r in mine)
            rebalance_rows.append([threshold, name, "%d / %d" % (len(feasible), len(mine)),
                                   sum(r[name]["moves"] for r in feasible), sum(r["optimum"] for r in feasible),
                                   "%.3f" % (max(ratios) if ratios else 1.0), unresolved, "%d / %d" % (within, len(feasible)),
                                   violations])
            verdicts.setdefault(name, []).append(within == len(feasible) and violations == 0)
    drained = [r for r in records if r["kind"] == "drain" and r["optimum"]]
    for name in planners + ["scheduler-like", "watcher-like"]:
        ratios = [r[name]["peak_cpu"] / r["optimum"] for r in drained]
        within = sum(1 for ratio in ratios if ratio <= TARGET + 1e-9)
        violations = sum(len(r[name]["violations"]) for r in drained)
        left = sum(r[name]["left_behind"] for r in drained)
        drain_rows.append([name, len(drained), "%.3f" % (sum(ratios) / len(ratios)), "%.3f" % max(ratios),
                           "%d / %d" % (within, len(drained)), left, violations])
        if name in planners:
            verdicts[name].append(within == len(drained) and violations == 0)
    return rebalance_rows, drain_rows, {name: all(ok) for name, ok in verdicts.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few small clusters (CI)")
    parser.add_argument("--compare", metavar="REF", help="also run the planner at git revision REF")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker()
    started = time.perf_counter()
    records, planners = measure(args.quick, args.compare)
    rebalance_rows, drain_rows, verdicts = summarise(records, planners)
    print("## Rebalance (threshold): moves vs the fewest possible (CBC)\n")
    print(common.table(["max_cpu_util", "planner", "ILP feasible", "moves", "optimum", "worst ratio",
                        "unresolved but feasible", "<= ceil(1.05 opt)", "violations"], rebalance_rows))
    print("\n## Drain: peak CPU utilisation of receiving hosts vs the lowest possible (CBC)\n")
    print(common.table(["method", "cases", "mean ratio", "worst ratio", "<= 1.05 opt", "guests left behind",
                        "violations"], drain_rows))
    print("\nTargets (rebalance <= ceil(1.05 x optimum), drain peak <= 1.05 x optimum, no violations): "
          + ", ".join("%s %s" % (name, "met" if ok else "NOT met") for name, ok in verdicts.items()))
    seconds = time.perf_counter() - started
    path = common.write_results("plan_quality", {
        "revision": common.revision(), "compare": args.compare, "quick": args.quick, "machine": common.machine(),
        "seconds": round(seconds, 1), "targets_met": verdicts, "cases": records,
        "tables": {"rebalance": rebalance_rows, "drain": drain_rows}}, args.quick)
    print("\n%d cases in %.1f s; results in %s" % (len(records), seconds, os.path.relpath(path, common.ROOT)))
    return 0 if all(verdicts.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
