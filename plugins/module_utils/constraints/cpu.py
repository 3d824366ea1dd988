# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules about the target's CPUs: architecture, model, features, shared and dedicated CPU sets.

A guest's CPU mode is the instance's own `cpu_mode` (flavor/image) or else the source
compute's `[libvirt] cpu_mode` as gathered by nova_host_config_facts.
"""

from __future__ import annotations

from ansible_collections.vmops.migration.plugins.module_utils.constraints.base import (
    COLD, EVACUATE, LIVE, Rule,
)
from ansible_collections.vmops.migration.plugins.module_utils.constraints.common import (
    HostFactsRule, cpu_set, describe_layout, facts_not_gathered, numa_layout,
)

PASSTHROUGH = "host-passthrough"
HOST_MODEL = "host-model"


def cpu_mode(ctx):
    return ctx.instance.cpu_mode or ctx.source.cpu_mode


def _cpu(host):
    return "%s (%s)" % (host.cpu_model or "unknown model", host.cpu_vendor or "unknown vendor")


class ArchMismatch(Rule):
    code = "ARCH_MISMATCH"
    move_types = (LIVE, COLD, EVACUATE)

    def check(self, ctx):
        source, target = ctx.source.cpu_arch, ctx.target.cpu_arch
        if source and target and source != target:
            return [self.reason(ctx, "%s runs on %s, target %s is %s"
                                % (ctx.instance.label, source, ctx.target.name, target))]
        return []


class CpuModelMismatch(Rule):
    """host-passthrough exposes the source CPU as is: only an identical CPU can take the guest live."""

    code = "CPU_MODEL_MISMATCH"

    def check(self, ctx):
        if cpu_mode(ctx) != PASSTHROUGH:
            return []
        source, target = ctx.source, ctx.target
        differs = [field for field in ("cpu_model", "cpu_vendor")
                   if getattr(source, field) and getattr(target, field) and getattr(source, field) != getattr(target, field)]
        if differs:
            return [self.reason(ctx, "%s uses host-passthrough on a %s CPU, target %s has %s: the CPU must be identical"
                                % (ctx.instance.label, _cpu(source), target.name, _cpu(target)))]
        return []


class CpuFeaturesMissing(Rule):
    """Features the instance requires always count; live moves of host-passthrough/host-model
    guests also need every feature the source CPU exposes. Skipped when the target lists none."""

    code = "CPU_FEATURES_MISSING"
    move_types = (LIVE, COLD, EVACUATE)

    def check(self, ctx):
        offered = set(ctx.target.cpu_features)
        if not offered:
            return []
        wanted = set(ctx.instance.required_cpu_features)
        if ctx.move_type == LIVE and cpu_mode(ctx) in (PASSTHROUGH, HOST_MODEL):
            wanted |= set(ctx.source.cpu_features)
        missing = sorted(wanted - offered)
        if missing:
            return [self.reason(ctx, "target %s lacks CPU feature%s %s that %s uses"
                                % (ctx.target.name, "" if len(missing) == 1 else "s", ", ".join(missing),
                                   ctx.instance.label))]
        return []


class SharedCpuSetMismatch(HostFactsRule):
    """A floating guest runs on the compute's cpu_shared_set; live it keeps its CPU set, so the
    target's must be the same CPUs. Compared when both hosts were gathered or both sets given."""

    code = "SHARED_CPU_SET_MISMATCH"

    def relevant(self, instance):
        return instance.cpu_policy == "shared"

    def _comparable(self, ctx):
        hosts = (ctx.source, ctx.target)
        return all(h.host_facts_gathered for h in hosts) or all(h.cpu_shared_set is not None for h in hosts)

    def unchecked(self, ctx):
        if not self.relevant(ctx.instance) or self._comparable(ctx):
            return None
        return facts_not_gathered((ctx.source, ctx.target))

    def check(self, ctx):
        if not self.relevant(ctx.instance) or not self._comparable(ctx):
            return []
        source, target = ctx.source.cpu_shared_set, ctx.target.cpu_shared_set
        if cpu_set(source) != cpu_set(target):
            return [self.reason(ctx, "%s floats on cpu_shared_set %s of %s, target %s has %s"
                                % (ctx.instance.label, source or "(unset)", ctx.source.name, ctx.target.name,
                                   target or "(unset)"))]
        return []


class PinnedTargetNotEquivalent(HostFactsRule):
    """Pinned guests keep their CPU and NUMA placement: the target needs the same NUMA layout
    (node count, CPUs per node) and a cpu_dedicated_set of the same size."""

    code = "PINNED_TARGET_NOT_EQUIVALENT"

    def relevant(self, instance):
        return instance.cpu_policy in ("dedicated", "mixed")

    def unchecked(self, ctx):
        if not self.relevant(ctx.instance):
            return None
        hosts = (ctx.source, ctx.target)
        if all(numa_layout(h) for h in hosts) or all(h.cpu_dedicated_set for h in hosts):
            return None
        return facts_not_gathered(hosts)

    def check(self, ctx):
        if not self.relevant(ctx.instance):
            return []
        problems = []
        source, target = numa_layout(ctx.source), numa_layout(ctx.target)
        if source and target and source != target:
            problems.append("%s has %s, source %s has %s"
                            % (ctx.target.name, describe_layout(target), ctx.source.name, describe_layout(source)))
        source_set, target_set = cpu_set(ctx.source.cpu_dedicated_set), cpu_set(ctx.target.cpu_dedicated_set)
        if source_set and target_set and _size(source_set) != _size(target_set):
            problems.append("cpu_dedicated_set %s on %s, %s on %s"
                            % (ctx.target.cpu_dedicated_set, ctx.target.name, ctx.source.cpu_dedicated_set,
                               ctx.source.name))
        if problems:
            return [self.reason(ctx, "%s has pinned CPUs and target %s is not equivalent: %s"
                                % (ctx.instance.label, ctx.target.name, "; ".join(problems)))]
        return []


def _size(parsed):
    return len(parsed) if isinstance(parsed, frozenset) else parsed


RULES = [ArchMismatch, CpuModelMismatch, CpuFeaturesMissing, SharedCpuSetMismatch, PinnedTargetNotEquivalent]
