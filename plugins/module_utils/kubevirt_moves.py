# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""kubevirt_migrate: choose the VMIs, check every move with the constraint core before any
write, then run one VirtualMachineInstanceMigration per VMI with the executor, within
KubeVirt's own limits, and shape the result. Check mode stops before the first write."""

from __future__ import annotations

from ansible_collections.vmops.migration.plugins.module_utils.constraints.base import BLOCK, LIVE, WARN
from ansible_collections.vmops.migration.plugins.module_utils.errors import InputError, MovesBlocked
from ansible_collections.vmops.migration.plugins.module_utils.executor import Executor, Move, Policy, summarise
from ansible_collections.vmops.migration.plugins.module_utils.kubevirt_adapter import (
    REQUEST_LABEL, KubeVirtBackend, KubeVirtCluster, build_snapshot, phase_of, request_label, split_key,
)
from ansible_collections.vmops.migration.plugins.module_utils.progress import ProgressLog
from ansible_collections.vmops.migration.plugins.module_utils.scheduling import Limits
from ansible_collections.vmops.migration.plugins.module_utils.snapshot import parse_snapshot
from ansible_collections.vmops.migration.plugins.module_utils.targeting import Cluster

ARGUMENT_SPEC = {
    "name": {"type": "list", "elements": "str", "aliases": ["names", "vmi", "vmis"]},
    "namespace": {"type": "str"},
    "label_selector": {"type": "str"},
    "node": {"type": "str"},
    "target_node": {"type": "str"},
    "node_selector": {"type": "dict"},
    "skip_blocked": {"type": "bool", "default": False},
    "request_id": {"type": "str"},
    "max_parallel": {"type": "int"},
    "max_per_node": {"type": "int"},
    "migration_timeout": {"type": "float"},
    "poll_interval": {"type": "float", "default": 2.0},
}
DEFAULT_NAMESPACE = "default"
# Refused whatever skip_blocked says: it concerns the caller, not one VMI.
ALWAYS_FATAL = ("KV_NOT_AUTHORIZED",)


def check_options(params):
    """Every bad option at once, before anything is read."""
    problems = []
    for name in ("max_parallel", "max_per_node"):
        if params[name] is not None and params[name] < 1:
            problems.append("%s: must be >= 1, got %d" % (name, params[name]))
    for name in ("poll_interval", "migration_timeout"):
        if params[name] is not None and params[name] <= 0:
            problems.append("%s: must be > 0, got %s" % (name, params[name]))
    if params["node"] and params["node"] == params["target_node"]:
        problems.append("target_node: is the node being emptied (%s)" % params["node"])
    if problems:
        raise InputError(problems[0].split(":")[0], "; ".join(problems))


def select(cluster, snapshot, params):
    """The snapshot instances the request names, in a stable order (every unknown name at once)."""
    namespace = params["namespace"]
    wanted, missing = [], []
    for key in params["name"] or []:
        vmi_namespace, vmi_name = split_key(key, namespace or DEFAULT_NAMESPACE)
        instance = snapshot.instance_by_id.get("%s/%s" % (vmi_namespace, vmi_name))
        if instance is None:
            missing.append("%s/%s" % (vmi_namespace, vmi_name))
        else:
            wanted.append(instance)
    if missing:
        raise InputError("name", "no running VMI %s" % ", ".join(missing))
    if params["label_selector"]:
        for vmi in cluster.vmis(namespace, params["label_selector"]):
            instance = snapshot.instance_by_id.get("%s/%s" % (vmi["metadata"]["namespace"], vmi["metadata"]["name"]))
            if instance is not None and instance not in wanted:
                wanted.append(instance)
    node = params["node"]
    if node:
        if node not in snapshot.host_by_name:
            raise InputError("node", "no node %s" % node)
        if not (params["name"] or params["label_selector"]):
            wanted = [instance for instance in snapshot.instances
                      if namespace is None or instance.extra.get("namespace") == namespace]
        wanted = [instance for instance in wanted if instance.host == node]
    return wanted


def _matches(host, selector):
    return all(host.labels.get(key) == value for key, value in (selector or {}).items())


def already_done(cluster, snapshot, instances, params):
    """(still to move, already where asked): a VMI on the target node or a node matching the
    selector, or whose last migration by this same request succeeded and that has not moved since."""
    target, selector = params["target_node"], params["node_selector"]
    moving, done = [], []
    for instance in instances:
        host = snapshot.host_by_name[instance.host]
        if target or selector:
            arrived = (not target or instance.host == target) and _matches(host, selector)
        else:
            arrived = _done_by_request(cluster, instance, params)
        (done if arrived else moving).append(instance)
    return moving, done


def _done_by_request(cluster, instance, params):
    if instance.migration_in_progress or params["node"]:
        return False
    namespace, name = split_key(instance.id, None)
    label = request_label(instance.id, params["node_selector"], params["request_id"])
    ours = [vmim for vmim in cluster.vmims_of(namespace, name)
            if (vmim["metadata"].get("labels") or {}).get(REQUEST_LABEL) == label]
    if not ours or phase_of(ours[-1]) != "Succeeded":
        return False
    state = (ours[-1].get("status") or {}).get("migrationState") or {}
    return state.get("targetNode") == instance.host


def precheck(snapshot, instances, params):
    """(target node or None per instance id, blocked entries, warnings) from the constraint core;
    capacity is consumed move by move, so a node full after earlier moves blocks the next ones."""
    cluster = Cluster(snapshot)
    target, selector = params["target_node"], params["node_selector"]
    if target and target not in snapshot.host_by_name:
        raise InputError("target_node", "no node %s" % target)
    chosen, blocked, warnings = {}, [], []
    for instance in instances:
        candidates = [target] if target else [host.name for host in snapshot.hosts
                                              if host.accepts_guests and _matches(host, selector)]
        found, reasons = cluster.choose(instance, LIVE, candidates)
        if found is None:
            blocked.append({"instance": instance.id, "source": instance.host,
                            "reasons": [reason.to_dict() for reason in reasons]})
            continue
        cluster.apply(instance, found)
        chosen[instance.id] = target
        warnings.extend(dict(reason.to_dict(), instance=instance.id) for reason in reasons if reason.severity == WARN)
    return chosen, blocked, warnings


def _fatal(blocked, skip_blocked):
    codes = {reason["code"] for entry in blocked for reason in entry["reasons"] if reason["severity"] == BLOCK}
    return bool(blocked) and (not skip_blocked or bool(codes & set(ALWAYS_FATAL)))


def policy_from(params, settings):
    """KubeVirt's limits, or lower ones asked for: more would only wait Pending inside KubeVirt."""
    per_cluster = min(params["max_parallel"] or settings.parallel_migrations_per_cluster,
                      settings.parallel_migrations_per_cluster)
    per_node = min(params["max_per_node"] or settings.parallel_outbound_migrations_per_node,
                   settings.parallel_outbound_migrations_per_node)
    return Policy(limits=Limits(per_source=per_node, per_target=0, per_cluster=per_cluster),
                  poll_interval=params["poll_interval"], move_timeout_s=params["migration_timeout"],
                  deadline_s=params["wait_timeout"], wait=params["wait"], workers=per_cluster, platform="kubevirt")


def to_move(instance, target, params):
    labels = {REQUEST_LABEL: request_label(instance.id, params["node_selector"], params["request_id"])}
    return Move(instance=instance.id, name=instance.name, source=instance.host, target=target, type=LIVE,
                memory_mib=instance.memory_mib,
                options={"node_selector": params["node_selector"] or {}, "labels": labels})


def placement_diff(instances, moves, results=None):
    after_by_id = {result.instance: result.target for result in results or []}
    before = {instance.id: instance.host for instance in instances}
    after = dict(before)
    for move in moves:
        after[move.instance] = after_by_id.get(move.instance) or move.target or "(chosen by the KubeVirt scheduler)"
    return {"before": {"placement": before}, "after": {"placement": after}}


def migrate(module):
    """kubevirt_migrate."""
    params = module.params
    check_options(params)
    cluster = KubeVirtCluster(module.api)
    snapshot = parse_snapshot(build_snapshot(cluster, params["namespace"]))
    instances = select(cluster, snapshot, params)
    namespaces = sorted({instance.extra["namespace"] for instance in instances})
    if namespaces != [params["namespace"]]:
        # Rights are per namespace: ask for each namespace the request touches.
        snapshot.settings.migrate_authorized = all(cluster.may_migrate(namespace) for namespace in namespaces)
    moving, done = already_done(cluster, snapshot, instances, params)
    unchanged = {"changed": False, "results": [], "blocked": [], "move_warnings": [], "summary": summarise([]),
                 "already_done": [instance.id for instance in done]}
    if not moving:
        return dict(unchanged, msg="nothing to migrate: %s" % (
            "every selected VMI is already where asked" if instances else "no VMI matches"))
    adopted = [instance for instance in moving if instance.migration_in_progress]
    for instance in adopted:
        instance.migration_in_progress = False  # its in-flight migration is adopted, not doubled
    chosen, blocked, warnings = precheck(snapshot, moving, params)
    if _fatal(blocked, params["skip_blocked"]):
        raise MovesBlocked(blocked, len(moving))
    moves = [to_move(instance, chosen[instance.id], params) for instance in moving if instance.id in chosen]
    outcome = dict(unchanged, blocked=blocked, move_warnings=warnings)
    if not moves:
        return dict(outcome, msg="nothing can migrate: every selected VMI is blocked")
    if module.check_mode:
        return dict(outcome, changed=True, summary={"total": len(moves)}, diff=placement_diff(moving, moves),
                    results=[{"instance": move.instance, "name": move.name, "source": move.source,
                              "target": move.target, "type": LIVE, "status": "planned"} for move in moves])
    log = ProgressLog(module.log)
    results = Executor(KubeVirtBackend(cluster), policy_from(params, snapshot.settings), on_event=log).run(moves)
    outcome.update(changed=any(result.status != "skipped" for result in results),
                   results=[dict(result.to_dict(), **_phases(cluster, result)) for result in results],
                   summary=summarise(results), progress_log=log.lines, diff=placement_diff(moving, moves, results))
    failed = [result for result in results if result.status == "failed"]
    if failed:
        outcome["failed"] = True
        outcome["msg"] = "%d of %d migrations failed: %s" % (len(failed), len(results), "; ".join(
            "%s: %s (%s)" % (result.instance, result.failure.code, result.failure.message) for result in failed))
    return outcome


def _phases(cluster, result):
    """The VMIM's last phase and when it entered each phase (it is gone when a cancel finished)."""
    if not result.migration_id:
        return {"phase": None, "phase_timestamps": {}}
    namespace, unused_name = split_key(result.instance, None)
    vmim = cluster.vmim(namespace, result.migration_id) or {}
    stamps = {entry.get("phase"): entry.get("phaseTransitionTimestamp")
              for entry in (vmim.get("status") or {}).get("phaseTransitionTimestamps") or []}
    return {"phase": phase_of(vmim) or None, "phase_timestamps": stamps}
