# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""VirtualMachineInstanceMigrations as records (kubevirt_migration_info), and cancelling the
running one of a VMI (kubevirt_migration_cancel)."""

from __future__ import annotations

import time

from ansible_collections.vmops.migration.plugins.module_utils.errors import InputError, MigrationFailed
from ansible_collections.vmops.migration.plugins.module_utils.kubevirt_adapter import (
    ABORT_CONDITION, FINAL_PHASES, MANAGED_BY, MANAGED_LABEL, VMI_NAME_LABEL, KubeVirtCluster, build_snapshot, condition,
    phase_of, split_key,
)

INFO_ARGUMENT_SPEC = {
    "vmi": {"type": "str", "aliases": ["name"]},
    "namespace": {"type": "str"},
    "phase": {"type": "list", "elements": "str"},
    "in_flight": {"type": "bool", "default": False},
    "snapshot": {"type": "bool", "default": False},
}
CANCEL_ARGUMENT_SPEC = {
    "vmi": {"type": "str", "required": True, "aliases": ["name"]},
    "namespace": {"type": "str", "default": "default"},
    "migration": {"type": "str"},
    "poll_interval": {"type": "float", "default": 1.0},
}


def record(vmim):
    """One VMIM as we return it."""
    meta, spec, status = vmim["metadata"], vmim.get("spec") or {}, vmim.get("status") or {}
    state = status.get("migrationState") or {}
    return {
        "name": meta["name"], "namespace": meta["namespace"], "vmi": spec.get("vmiName"), "phase": phase_of(vmim) or None,
        "source_node": state.get("sourceNode"), "target_node": state.get("targetNode"),
        "added_node_selector": spec.get("addedNodeSelector"),
        "created": meta.get("creationTimestamp"), "start_timestamp": state.get("startTimestamp"),
        "end_timestamp": state.get("endTimestamp"),
        "phase_timestamps": {entry.get("phase"): entry.get("phaseTransitionTimestamp")
                             for entry in status.get("phaseTransitionTimestamps") or []},
        "failure_reason": state.get("failureReason"),
        "abort_requested": condition(vmim, ABORT_CONDITION) is not None,
        "deleting": bool(meta.get("deletionTimestamp")),
        "managed": (meta.get("labels") or {}).get(MANAGED_LABEL) == MANAGED_BY,
    }


def info(module):
    """kubevirt_migration_info: VMIMs oldest first, filtered by VMI, namespace, phase, in flight."""
    params = module.params
    cluster = KubeVirtCluster(module.api)
    namespace, selector = params["namespace"], None
    if params["vmi"]:
        namespace, name = split_key(params["vmi"], namespace or "default")
        selector = "%s=%s" % (VMI_NAME_LABEL, name)
    phases = set(params["phase"] or [])
    records = [record(vmim) for vmim in cluster.vmims(namespace, selector)
               if (not phases or phase_of(vmim) in phases)
               and not (params["in_flight"] and phase_of(vmim) in FINAL_PHASES)]
    by_phase = {}
    for entry in records:
        by_phase[entry["phase"]] = by_phase.get(entry["phase"], 0) + 1
    result = {"changed": False, "migrations": records, "by_phase": by_phase}
    if params["snapshot"]:
        result["snapshot"] = build_snapshot(cluster, params["namespace"])
    return result


def cancel(module, clock=time.monotonic, sleep=time.sleep):
    """kubevirt_migration_cancel: delete the VMI's unfinished VMIM(s); none: no change."""
    params = module.params
    cluster = KubeVirtCluster(module.api)
    namespace, name = split_key(params["vmi"], params["namespace"])
    if params["poll_interval"] <= 0:
        raise InputError("poll_interval", "must be > 0, got %s" % params["poll_interval"])
    if cluster.vmi(namespace, name) is None:
        raise InputError("vmi", "no VMI %s/%s" % (namespace, name))
    running = [vmim for vmim in cluster.vmims_of(namespace, name)
               if phase_of(vmim) not in FINAL_PHASES and not vmim["metadata"].get("deletionTimestamp")
               and params["migration"] in (None, vmim["metadata"]["name"])]
    result = {"changed": bool(running), "cancelled": [record(vmim) for vmim in running], "vmi": "%s/%s" % (namespace, name)}
    if not running or module.check_mode:
        result["node"] = _node_of(cluster, namespace, name)
        return result
    for vmim in running:
        cluster.delete_vmim(namespace, vmim["metadata"]["name"])
    if params["wait"]:
        _wait_ended(cluster, namespace, [vmim["metadata"]["name"] for vmim in running], params, clock, sleep)
    result["node"] = _node_of(cluster, namespace, name)
    return result


def _node_of(cluster, namespace, name):
    return ((cluster.vmi(namespace, name) or {}).get("status") or {}).get("nodeName")


def _wait_ended(cluster, namespace, names, params, clock, sleep):
    """Until each cancelled VMIM is final or gone (its finalizer holds it while the copy stops)."""
    deadline = clock() + params["wait_timeout"]
    pending = list(names)
    while pending:
        pending = [name for name in pending if phase_of(cluster.vmim(namespace, name) or {"status": {"phase": "Failed"}})
                   not in FINAL_PHASES]
        if pending and clock() >= deadline:
            raise MigrationFailed("TIMEOUT", "cancel of migration %s requested %ds ago and it is still running"
                                  % (", ".join(pending), params["wait_timeout"]))
        if pending:
            sleep(params["poll_interval"])
