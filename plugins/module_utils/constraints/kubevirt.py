# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""KubeVirt rules: a VMI's own migratability, its storage and CPU model, the node's room, and the
cluster's migration settings.

Snapshot conventions read here:
- `instance.storage_access_modes`: one entry per PVC, its access modes comma-separated
  ("ReadWriteOnce" or "ReadWriteOnce,ReadWriteMany"); each PVC needs ReadWriteMany.
- `instance.cpu_model`: the VMI's spec.domain.cpu.model (a named model or "host-model").
- `host.labels`: node labels; `cpu-model.node.kubevirt.io/<model>` and
  `host-model-cpu.node.kubevirt.io/<model>` are set to "true" by KubeVirt's node labeller.
- `settings.nodes_draining_in_parallel` (in settings.extra, default 1): how many nodes an
  operator drains at once, for KV_SPARE_MEMORY_SHORT.
"""

from __future__ import annotations

from ansible_collections.vmops.migration.plugins.module_utils.capacity import Capacity
from ansible_collections.vmops.migration.plugins.module_utils.constraints.base import INFO, WARN, Rule
from ansible_collections.vmops.migration.plugins.module_utils.constraints.common import capacity_of

RWX = "ReadWriteMany"
MODEL_LABEL = "cpu-model.node.kubevirt.io/"
HOST_MODEL_LABEL = "host-model-cpu.node.kubevirt.io/"


class _KubevirtRule(Rule):
    platforms = ("kubevirt",)


class _VmiRule(_KubevirtRule):
    """Depends on the VMI or the cluster only: judged once per VMI."""

    per_target = False


class KvNotLiveMigratable(_VmiRule):
    code = "KV_NOT_LIVE_MIGRATABLE"

    def check(self, ctx):
        condition = ctx.instance.live_migratable or {}
        if str(condition.get("status")) != "False":
            return []
        detail = ": ".join(str(part) for part in (condition.get("reason"), condition.get("message")) if part)
        return [self.reason(ctx, "%s is not live-migratable (LiveMigratable=False%s)"
                            % (ctx.instance.label, ", " + detail if detail else ""))]


class KvStorageNotRwx(_VmiRule):
    code = "KV_STORAGE_NOT_RWX"

    def check(self, ctx):
        not_rwx = [entry for entry in ctx.instance.storage_access_modes
                   if RWX not in [mode.strip() for mode in entry.split(",")]]
        if not_rwx:
            return [self.reason(ctx, "%s has %d volume%s that %s not ReadWriteMany (%s): it cannot be live-migrated"
                                % (ctx.instance.label, len(not_rwx), "" if len(not_rwx) == 1 else "s",
                                   "is" if len(not_rwx) == 1 else "are", "; ".join(not_rwx)))]
        return []


class KvMigrationInProgress(_VmiRule):
    code = "KV_MIGRATION_IN_PROGRESS"

    def check(self, ctx):
        if ctx.instance.migration_in_progress:
            return [self.reason(ctx, "%s already has a migration in flight: wait for it or cancel it" % ctx.instance.label)]
        return []


def _labelled(host, label):
    return str(host.labels.get(label, "")).lower() == "true"


def _source_host_model(host):
    models = sorted(key[len(HOST_MODEL_LABEL):] for key in host.labels if key.startswith(HOST_MODEL_LABEL)
                    and _labelled(host, key))
    return models[0] if models else host.cpu_model


class KvCpuModelUnsupported(_KubevirtRule):
    """A named model needs the target's cpu-model label; host-model needs the source's host CPU
    model among the target's host-model-cpu labels. A VMI without a model is not checked."""

    code = "KV_CPU_MODEL_UNSUPPORTED"

    def check(self, ctx):
        model = ctx.instance.cpu_model or ctx.instance.cpu_mode
        if not model or model == "host-passthrough":
            return []
        if model == "host-model":
            wanted = _source_host_model(ctx.source)
            if wanted is None:
                return []
            label, what = HOST_MODEL_LABEL + wanted, "host-model CPU %s of source %s" % (wanted, ctx.source.name)
        else:
            label, what = MODEL_LABEL + model, "CPU model %s" % model
        if _labelled(ctx.target, label):
            return []
        return [self.reason(ctx, "%s uses %s; node %s lacks label %s=true"
                            % (ctx.instance.label, what, ctx.target.name, label))]


class KvInsufficientMemory(_KubevirtRule):
    code = "KV_INSUFFICIENT_MEMORY"

    def check(self, ctx):
        found = capacity_of(ctx).shortfalls(ctx.instance, ctx.target.name).get("ram")
        if found is None:
            return []
        return [self.reason(ctx, "%s requests %g MiB memory, node %s has %g MiB free after planned moves"
                            % (ctx.instance.label, found[0], ctx.target.name, round(max(found[1], 0), 2)))]


class KvNotAuthorized(_VmiRule):
    code = "KV_NOT_AUTHORIZED"

    def check(self, ctx):
        if ctx.settings.migrate_authorized is False:
            return [self.reason(ctx, "this account may not create virtualmachineinstancemigrations (needs the "
                                "kubevirt.io:migrate role): %s cannot be migrated" % ctx.instance.label)]
        return []


class KvEvictionStrategyNone(_VmiRule):
    code = "KV_EVICTION_STRATEGY_NONE"
    severity = WARN

    def check(self, ctx):
        strategy = ctx.instance.eviction_strategy
        if strategy in (None, "None"):
            return [self.reason(ctx, "%s has evictionStrategy %s: a node drain would not live-migrate it"
                                % (ctx.instance.label, strategy or "unset (KubeVirt's default is None)"))]
        return []


class KvSpareMemoryShort(_VmiRule):
    """Cluster-wide, from the snapshot as taken: free memory on schedulable nodes must hold the
    VMs of the largest nodes drained at the same time."""

    code = "KV_SPARE_MEMORY_SHORT"
    severity = WARN

    def __init__(self):
        super().__init__()
        self._last = (None, None)

    def check(self, ctx):
        spare, largest = self._cluster_memory(ctx.snapshot)
        draining = ctx.snapshot.settings.extra.get("nodes_draining_in_parallel", 1)
        needed = draining * largest
        if spare >= needed:
            return []
        return [self.reason(ctx, "cluster has %g MiB spare memory, draining %d node%s in parallel needs %g MiB "
                            "(largest node holds %g MiB of VMs): migrations of %s may not find room"
                            % (round(spare, 2), draining, "" if draining == 1 else "s", needed, largest,
                               ctx.instance.label))]

    def _cluster_memory(self, snapshot):
        """(spare MiB on schedulable nodes, largest MiB of VM requests on one node), once per snapshot."""
        if self._last[0] is not snapshot:
            used = {host.name: 0 for host in snapshot.hosts}
            for vm in snapshot.instances:
                used[vm.host] += vm.memory_mib
            free = Capacity(snapshot)
            spare = sum(max(free[host.name].ram, 0) for host in snapshot.hosts if host.accepts_guests)
            self._last = (snapshot, (spare, max(used.values(), default=0)))
        return self._last[1]


class KvNoMigrationNetwork(_VmiRule):
    code = "KV_NO_MIGRATION_NETWORK"
    severity = INFO

    def check(self, ctx):
        if not ctx.settings.migration_network:
            return [self.reason(ctx, "no dedicated migration network: migrating %s shares the pod network"
                                % ctx.instance.label)]
        return []


class KvPostCopyRisk(_VmiRule):
    code = "KV_POST_COPY_RISK"
    severity = WARN

    def check(self, ctx):
        if ctx.settings.allow_post_copy:
            return [self.reason(ctx, "post-copy is enabled: if migrating %s fails during post-copy the guest is lost"
                                % ctx.instance.label)]
        return []


RULES = [KvNotLiveMigratable, KvStorageNotRwx, KvMigrationInProgress, KvCpuModelUnsupported, KvInsufficientMemory,
         KvNotAuthorized, KvEvictionStrategyNone, KvSpareMemoryShort, KvNoMigrationNetwork, KvPostCopyRisk]
