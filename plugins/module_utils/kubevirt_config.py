# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""kubevirt_migration_config: read KubeVirt's effective migration settings, and change them
where their owner keeps them: the HyperConverged CR (`spec.liveMigrationConfig`) when HCO
manages KubeVirt (it would undo a change made on the KubeVirt CR), else the KubeVirt CR
(`spec.configuration.migrations`)."""

from __future__ import annotations

import time

from ansible_collections.vmops.migration.plugins.module_utils.errors import InputError, NotFound, VmopsError
from ansible_collections.vmops.migration.plugins.module_utils.kubevirt_adapter import (
    GROUP, HCO, KUBEVIRTS, MIGRATION_DEFAULTS, VERSION, KubeVirtCluster,
)

# Option -> field of KubeVirt's MigrationConfiguration (the same names in HCO's liveMigrationConfig).
FIELDS = {
    "parallel_migrations_per_cluster": "parallelMigrationsPerCluster",
    "parallel_outbound_migrations_per_node": "parallelOutboundMigrationsPerNode",
    "bandwidth_per_migration": "bandwidthPerMigration",
    "completion_timeout_per_gib": "completionTimeoutPerGiB",
    "progress_timeout": "progressTimeout",
    "allow_post_copy": "allowPostCopy",
    "allow_auto_converge": "allowAutoConverge",
    "network": "network",
}
ARGUMENT_SPEC = {
    "parallel_migrations_per_cluster": {"type": "int"},
    "parallel_outbound_migrations_per_node": {"type": "int"},
    "bandwidth_per_migration": {"type": "str"},
    "completion_timeout_per_gib": {"type": "int"},
    "progress_timeout": {"type": "int"},
    "allow_post_copy": {"type": "bool"},
    "allow_auto_converge": {"type": "bool"},
    "network": {"type": "str"},
}
_POSITIVE = ("parallel_migrations_per_cluster", "parallel_outbound_migrations_per_node")
_NOT_NEGATIVE = ("completion_timeout_per_gib", "progress_timeout")
WAIT_INTERVAL_S = 0.5


def wanted_settings(params):
    """The fields the caller set, checked all at once."""
    problems = ["%s: must be >= 1, got %d" % (name, params[name]) for name in _POSITIVE
                if params[name] is not None and params[name] < 1]
    problems += ["%s: must be >= 0, got %d" % (name, params[name]) for name in _NOT_NEGATIVE
                 if params[name] is not None and params[name] < 0]
    if problems:
        raise InputError(problems[0].split(":")[0], "; ".join(problems))
    return {field: params[option] for option, field in FIELDS.items() if params[option] is not None}


def _owner(cluster):
    """(object, api group/version/plural, path to the migration settings) of who owns them."""
    hco = cluster.hyperconverged()
    if hco is not None:
        return hco, HCO, ("spec", "liveMigrationConfig")
    kubevirt = cluster.kubevirt()
    if kubevirt is None:
        raise NotFound("KubeVirt CR", "(any namespace)", "is KubeVirt installed?")
    return kubevirt, (GROUP, VERSION, KUBEVIRTS), ("spec", "configuration", "migrations")


def _at(obj, path):
    for key in path:
        obj = (obj or {}).get(key)
    return dict(obj or {})


def _nest(path, value):
    for key in reversed(path):
        value = {key: value}
    return value


def configure(module, clock=time.monotonic, sleep=time.sleep):
    params = module.params
    wanted = wanted_settings(params)
    cluster = KubeVirtCluster(module.api)
    owner, api, path = _owner(cluster)
    current = _at(owner, path)
    before = dict(MIGRATION_DEFAULTS, **current)
    changes = {field: value for field, value in wanted.items() if before.get(field) != value}
    after = dict(before, **changes)
    meta = owner["metadata"]
    result = {"changed": bool(changes), "source": "%s %s/%s" % (owner.get("kind") or api[2], meta.get("namespace"),
                                                                meta["name"]),
              "config": after if module.check_mode else cluster.migration_config(), "changes": changes,
              "diff": {"before": before, "after": after}}
    if not changes or module.check_mode:
        return result
    cluster.patch_custom(owner, *api, _nest(path, changes))
    result["config"] = _wait_effective(cluster, changes, params, clock, sleep) if params["wait"] \
        else cluster.migration_config()
    return result


def _wait_effective(cluster, changes, params, clock, sleep):
    """Until the KubeVirt CR shows the change (HCO copies its settings there)."""
    deadline = clock() + params["wait_timeout"]
    while True:
        effective = cluster.migration_config()
        if all(effective.get(field) == value for field, value in changes.items()):
            return effective
        if clock() >= deadline:
            raise VmopsError("the KubeVirt CR does not show %s after %ds" % (changes, params["wait_timeout"]))
        sleep(WAIT_INTERVAL_S)
