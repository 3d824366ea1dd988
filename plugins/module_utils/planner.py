# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The planner: snapshot in, plan out (contracts/plan.schema.json). Pure and I/O-free.

Strategy -> plan -> apply (Watcher's shape): `drain`, `evacuate` and `rebalance` decide which
instance goes where; `scheduling` orders the moves into waves within the limits; the executor
(elsewhere) only carries a plan out.
"""

from __future__ import annotations

from ansible_collections.vmops.migration.plugins.module_utils import hostnames, physics, rebalancing, scheduling
from ansible_collections.vmops.migration.plugins.module_utils.constraints.base import (
    BLOCK, COLD, EVACUATE, LIVE, Reason,
)
from ansible_collections.vmops.migration.plugins.module_utils.constraints.catalogue import check_move, is_blocked
from ansible_collections.vmops.migration.plugins.module_utils.errors import InputError
from ansible_collections.vmops.migration.plugins.module_utils.snapshot import Snapshot, parse_snapshot
from ansible_collections.vmops.migration.plugins.module_utils.load import cpu_demand
from ansible_collections.vmops.migration.plugins.module_utils.targeting import RAM_GUARD, Cluster, blocked_entry, default_move_type

PLAN_VERSION = 1
# Nova's [libvirt] live_migration_timeout_action values.
TIMEOUT_ACTIONS = ("abort", "force_complete")
WORKFLOWS = ("drain", "rebalance", "evacuate")
OPTION_CHECKS = {
    "per_source": ("an integer >= 0", lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0),
    "per_target": ("an integer >= 0", lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0),
    "per_cluster": ("an integer >= 0", lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0),
    "max_moves": ("an integer >= 0", lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0),
    "max_cpu_util": ("a number in (0, 1]", lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v <= 1),
    "max_ram_util": ("a number in (0, 1]", lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v <= 1),
    "objective": ("one of threshold, spread, consolidate", lambda v: v in rebalancing.OBJECTIVES),
    "stopped": ("one of cold, skip", lambda v: v in ("cold", "skip")),
    "targets": ("a list of host names", lambda v: isinstance(v, (list, tuple))),
}


def _snapshot(snapshot):
    return snapshot if isinstance(snapshot, Snapshot) else parse_snapshot(snapshot)


def _options(options):
    options = dict(options or {})
    problems = []
    for key, value in options.items():
        if key not in OPTION_CHECKS:
            problems.append("unknown option %r (known: %s)" % (key, ", ".join(sorted(OPTION_CHECKS))))
        elif value is not None and not OPTION_CHECKS[key][1](value):
            problems.append("%s must be %s, got %r" % (key, OPTION_CHECKS[key][0], value))
    if problems:
        raise InputError("options", "; ".join(problems))
    return {key: value for key, value in options.items() if value is not None}


def _limits(snapshot, options, workflow):
    if snapshot.platform == "kubevirt":
        default = scheduling.Limits(snapshot.settings.parallel_outbound_migrations_per_node, 0,
                                    snapshot.settings.parallel_migrations_per_cluster)
    else:
        default = scheduling.Limits(snapshot.settings.max_concurrent_live_migrations, 0, 0)
    if workflow == "evacuate":
        default.per_source = 0  # the source is dead: nothing flows out of it
    return scheduling.Limits(options.get("per_source", default.per_source),
                             options.get("per_target", default.per_target),
                             options.get("per_cluster", default.per_cluster))


def _per_source_overrides(snapshot, options):
    """Hosts whose gathered max_concurrent_live_migrations sets their own per-source limit."""
    if "per_source" in options:
        return {}
    return {host.name: host.max_concurrent_live_migrations for host in snapshot.hosts
            if host.max_concurrent_live_migrations is not None}


def _bandwidth(snapshot):
    default = snapshot.settings.migration_bandwidth_mibps
    bandwidth = {host.name: host.migration_bandwidth_mibps or default for host in snapshot.hosts}
    return lambda name: bandwidth.get(name, default)


def _move_type(instance, workflow):
    return EVACUATE if workflow == "evacuate" else default_move_type(instance)


def _candidates(snapshot, excluded, options):
    allowed = set(hostnames.resolve(options["targets"], snapshot.host_by_name, "targets")) if "targets" in options else None
    return [host.name for host in snapshot.hosts
            if host.name not in excluded and host.accepts_guests and (allowed is None or host.name in allowed)]


def _place_all(cluster, instances, workflow, candidates, options):
    """Choose a target for each instance in order; return (moves, blocked)."""
    moves, blocked = [], []
    for instance in instances:
        move_type = _move_type(instance, workflow)
        if move_type == COLD and options.get("stopped") == "skip":
            reason = Reason("NOT_RUNNING", "info", "instance is %s and stopped instances are skipped" % instance.status, None)
            blocked.append(blocked_entry(instance, [reason]))
            continue
        target, reasons = cluster.choose(instance, move_type, candidates)
        if target is None:
            blocked.append(blocked_entry(instance, reasons))
            continue
        moves.append(_move(instance, cluster.host_of(instance), target, move_type, reasons))
        cluster.apply(instance, target)
    return moves, blocked


# How many of the hottest receiving hosts the even-out pass tries to lower each round.
EVEN_OUT_HOSTS = 3


def _even_out(cluster, moves, candidates):
    """Lower the CPU peak of the receiving hosts after greedy placement (local search).

    While it helps, take the hottest receiving host and either move one of the guests it
    received to a host that stays below its utilisation, or swap one of them for one or two smaller
    guests another receiving host got. When the hottest cannot be helped, the next hottest ones
    (a few: trying every host costs seconds at 1,000 hosts) are tried the same way: lowering one
    makes room the hottest may use next (each change lowers one host and leaves every host it
    touches below that host's utilisation, so the search cannot cycle).
    Every change is judged by the same rules as a first placement, from the guest's own source;
    NUMA-bound guests keep their first choice (node accounting is one-way).
    """
    movable = [move for move in moves if not move.instance.numa_bound]
    for unused_round in range(4 * len(movable) + 1):
        receivers = sorted({move.target for move in moves}, key=lambda name: (cluster.load.util(name)[0], name),
                           reverse=True)
        if not any(_lower(cluster, host, movable, candidates) for host in receivers[:EVEN_OUT_HOSTS]):
            return


def _lower(cluster, host, movable, candidates):
    """Lower `host`'s CPU utilisation by one relocation or swap of a guest it received; True when done."""
    mine = sorted((move for move in movable if move.target == host), key=lambda move: -cpu_demand(move.instance))
    return _relocate_one(cluster, mine, candidates, host) or _swap_one(cluster, mine, movable, host)


def _relocate(cluster, move, target):
    """Send `move` to `target` instead if every rule allows it; True when it changed."""
    return _reassign(cluster, [(move, target)])


def _reassign(cluster, changes):
    """Send each (move, target) there, all or none, if every rule allows it; True when they changed.

    All guests leave first, so a swap does not need room for both guests on a host at once."""
    before = [(move, move.target) for move, unused_target in changes]
    for move, unused_target in changes:
        cluster.apply(move.instance, move.source)
    placed = []
    for move, target in changes:
        reasons = check_move(cluster.context(move.instance, target, move.type))
        if is_blocked(reasons):
            for earlier, where in before:
                cluster.apply(earlier.instance, where)  # apply moves it from wherever it is now
            return False
        cluster.apply(move.instance, target)
        placed.append((move, [reason for reason in reasons if reason.severity != BLOCK]))
    for (move, warnings), (unused_move, target) in zip(placed, changes):
        move.target, move.warnings = target, warnings
    return True


def _relocate_one(cluster, mine, candidates, hottest):
    peak = cluster.load.util(hottest)[0]
    for move in mine:
        better = [name for name in candidates if name not in (hottest, move.source)
                  and _fits_below(cluster, name, cpu_demand(move.instance), move.instance.memory_mib, peak)]
        for name in sorted(better, key=lambda name: cluster.weigh(name, move.instance)):
            if _relocate(cluster, move, name):
                return True
    return False


def _swap_one(cluster, mine, movable, hottest):
    """Swap a guest on `hottest` for one or two smaller ones another receiving host got, when both hosts
    end below its peak (two small guests for one big is what fills the last room of a tight drain)."""
    load, peak = cluster.load, cluster.load.util(hottest)[0]
    received = {}
    for move in movable:
        received.setdefault(move.target, []).append(move)
    options = []
    for big in mine:
        for there, guests in received.items():
            if there in (hottest, big.source):
                continue
            for group in _singles_and_pairs(guests):
                cpu = cpu_demand(big.instance) - sum(cpu_demand(move.instance) for move in group)
                ram = big.instance.memory_mib - sum(move.instance.memory_mib for move in group)
                if cpu <= 1e-9 or any(move.source == hottest for move in group):
                    continue
                if _fits_below(cluster, there, cpu, ram, peak):
                    options.append((max(load.util(there, cpu, ram)[0], load.util(hottest, -cpu, -ram)[0]),
                                    big.instance.id, [move.instance.id for move in group], big, group))
    for *unused_sort_key, big, group in sorted(options, key=lambda option: option[:3]):
        if _reassign(cluster, [(big, group[0].target)] + [(small, hottest) for small in group]):
            return True
    return False


def _singles_and_pairs(moves):
    for index, first in enumerate(moves):
        yield [first]
        for second in moves[index + 1:]:
            yield [first, second]


def _fits_below(cluster, name, cpu, ram, peak):
    """Would `name` with extra demand stay under `peak` CPU and the RAM guard?"""
    cpu_after, ram_after = cluster.load.util(name, cpu, ram)
    return cpu_after < peak - 1e-9 and ram_after <= RAM_GUARD + 1e-9


def _move(instance, source, target, move_type, reasons):
    return scheduling.Move(instance=instance, source=source, target=target, type=move_type,
                           block_migration=move_type == LIVE and instance.local_disk_gib > 0,
                           warnings=[reason for reason in reasons if reason.severity != BLOCK])


def _largest_first(instances):
    """Best-fit decreasing: big guests choose while there is most room."""
    return sorted(instances, key=lambda i: (-i.memory_mib, -i.vcpus, i.id))


def _assemble(snapshot, workflow, cluster, moves, blocked, options, before):
    bandwidth_of = _bandwidth(snapshot)
    for move in moves:
        # Long moves first keeps every link busy; evacuation puts HA guests ahead of all.
        estimate = scheduling.move_seconds(move, bandwidth_of(move.target), snapshot.settings, snapshot.platform)
        move.priority = (0 if move.instance.ha_enabled else 1, -estimate, move.instance.id) if workflow == "evacuate" \
            else (-estimate, move.instance.id)
    scheduling.link_dependencies(moves)
    limits = _limits(snapshot, options, workflow)
    per_source_hosts = _per_source_overrides(snapshot, options)
    ordered, makespan = scheduling.schedule(moves, limits, bandwidth_of, snapshot.settings, snapshot.platform,
                                            per_source_hosts)
    after = cluster.load.report(snapshot.host_by_name)
    return {
        "version": PLAN_VERSION,
        "workflow": workflow,
        "feasible": not any(_must_move(entry) for entry in blocked),
        "moves": [dict(_move_dict(move), **_timeout_policy(move, snapshot)) for move in ordered],
        "blocked": blocked,
        "limits": dict(limits.to_dict(), per_source_hosts=per_source_hosts,
                       bandwidth_mibps={name: bandwidth_of(name) for name in snapshot.host_by_name}),
        "estimated_makespan_seconds": round(makespan, 3),
        "lower_bound_seconds": round(scheduling.lower_bound(ordered, bandwidth_of), 3),
        "metrics": _metrics(before, after),
    }


def _timeout_policy(move, snapshot):
    """A live move's completion timeout and timeout action, from its source's gathered nova.conf.

    Nova's semantics: live_migration_completion_timeout is seconds per GiB of max(RAM, 2 GiB) plus
    local disk, 0 turns the timeout off; live_migration_timeout_action is abort or force_complete.
    Empty when the move is not live or the source's settings were not gathered (the executor then
    uses Nova's defaults).
    """
    tunables = (snapshot.host_by_name[move.source].live_migration or {}) if move.type == LIVE else {}
    policy = {}
    per_gib = tunables.get("completion_timeout")
    if isinstance(per_gib, int) and per_gib >= 0:
        policy["timeout_seconds"] = 0 if per_gib == 0 else round(physics.completion_timeout_s(
            move.instance.memory_mib, move.instance.local_disk_gib, per_gib=per_gib), 3)
    if tunables.get("timeout_action") in TIMEOUT_ACTIONS:
        policy["timeout_action"] = tunables["timeout_action"]
    return policy


def _must_move(entry):
    return any(reason["severity"] == BLOCK for reason in entry["reasons"])


def _move_dict(move):
    return {
        "instance": move.instance.id,
        "name": move.instance.name,
        "source": move.source,
        "target": move.target,
        "type": move.type,
        "block_migration": move.block_migration,
        "wave": move.wave,
        "estimated_start_seconds": round(move.start, 3),
        "estimated_seconds": round(move.seconds, 3),
        "memory_mib": move.instance.memory_mib,
        "warnings": [reason.to_dict() for reason in move.warnings],
    }


def _metrics(before, after):
    def summary(report):
        peaks = [max(values["cpu"], values["ram"]) for values in report.values()]
        return {"peak": round(max(peaks, default=0.0), 4), "spread": round(max(peaks, default=0.0) - min(peaks, default=0.0), 4)}
    return {"hosts": {name: {"before": before[name], "after": after[name]} for name in before},
            "before": summary(before), "after": summary(after)}


def drain(snapshot, hosts, options=None):
    """Move every instance off `hosts`; those that cannot move are listed in `blocked` with every reason."""
    return _empty_hosts(snapshot, hosts, options, "drain", _largest_first)


def evacuate(snapshot, hosts, options=None):
    """Rebuild every instance of the dead `hosts` elsewhere, HA-enabled ones first."""
    return _empty_hosts(snapshot, hosts, options, "evacuate", _ha_first)


def _ha_first(instances):
    """HA-enabled guests first, then best-fit decreasing like `_largest_first`."""
    return sorted(instances, key=lambda i: (not i.ha_enabled, -i.memory_mib, -i.vcpus, i.id))


def _empty_hosts(snapshot, hosts, options, workflow, order):
    """The `workflow` plan that places every instance of `hosts` elsewhere, in the order `order` gives."""
    snapshot, options = _snapshot(snapshot), _options(options)
    if not hosts:
        raise InputError("hosts", "must name at least one host to %s" % workflow)
    leaving = hostnames.resolve(hosts, snapshot.host_by_name)
    cluster = Cluster(snapshot)
    before = cluster.load.report(snapshot.host_by_name)
    instances = order(i for name in leaving for i in snapshot.instances_on(name))
    candidates = _candidates(snapshot, set(leaving), options)
    moves, blocked = _place_all(cluster, instances, workflow, candidates, options)
    _even_out(cluster, moves, candidates)
    return dict(_assemble(snapshot, workflow, cluster, moves, blocked, options, before), hosts=leaving)


def rebalance(snapshot, options=None):
    """Even out or consolidate load with as few moves as the objective needs."""
    snapshot, options = _snapshot(snapshot), _options(options)
    cluster = Cluster(snapshot)
    before = cluster.load.report(snapshot.host_by_name)
    candidates = _candidates(snapshot, set(), options)
    chosen, blocked, unresolved = rebalancing.plan_moves(cluster, candidates, options)
    moves = [_move(instance, source, target, _move_type(instance, "rebalance"), reasons)
             for instance, source, target, reasons in chosen]
    plan = _assemble(snapshot, "rebalance", cluster, moves, blocked, options, before)
    plan["metrics"]["unresolved_hosts"] = unresolved
    plan["feasible"] = plan["feasible"] and not unresolved
    return plan


def plan(snapshot, workflow, hosts=None, options=None):
    """One entry point for filters and scripts."""
    if workflow not in WORKFLOWS:
        raise InputError("workflow", "must be one of %s, got %r" % (", ".join(WORKFLOWS), workflow))
    if workflow == "rebalance":
        return rebalance(snapshot, options)
    return (drain if workflow == "drain" else evacuate)(snapshot, hosts, options)
