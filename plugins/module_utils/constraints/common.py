# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small helpers several rule modules share: capacity, bandwidth, NUMA layout, CPU sets, host facts."""

from __future__ import annotations

from ansible_collections.vmops.migration.plugins.module_utils.capacity import Capacity
from ansible_collections.vmops.migration.plugins.module_utils.constraints.base import Rule
from ansible_collections.vmops.migration.plugins.module_utils.host_config import parse_cpu_set


def capacity_of(ctx):
    """The context's capacity (after planned moves), or the snapshot's own when none was given."""
    return ctx.capacity if ctx.capacity is not None else Capacity(ctx.snapshot)


def usable_bandwidth(ctx):
    """MiB/s a migration can use: the slower of source and target, else the cloud-wide setting."""
    known = [host.migration_bandwidth_mibps for host in (ctx.source, ctx.target)
             if host is not None and host.migration_bandwidth_mibps]
    return min(known) if known else ctx.settings.migration_bandwidth_mibps


def numa_layout(host):
    """CPUs per NUMA node in node order, e.g. (16, 16); () when the host's NUMA layout is unknown."""
    return tuple(node.cpus for node in sorted(host.numa_nodes, key=lambda node: node.id))


def describe_layout(layout):
    return "%d NUMA node%s (%s CPUs)" % (len(layout), "" if len(layout) == 1 else "s", "/".join(str(n) for n in layout))


def cpu_set(spec):
    """A Nova CPU set string ('0-3,8-11,^2') as a frozenset of CPU ids; None when unset.

    A malformed string is kept as its stripped text, so two hosts compare equal only when
    they carry the same malformed text.
    """
    if spec is None:
        return None
    try:
        return frozenset(parse_cpu_set(spec))
    except ValueError:
        return spec.strip()


def without_facts(*hosts):
    """Names of the given hosts on which nova_host_config_facts has not run."""
    return [host.name for host in hosts if host is not None and not host.host_facts_gathered]


def other_instances_on(ctx, host_name):
    """Instances (other than ctx.instance) on `host_name` once the planned moves are made."""
    return [inst for inst in ctx.snapshot.instances
            if inst.id != ctx.instance.id and ctx.placement.get(inst.id, inst.host) == host_name]


class HostFactsRule(Rule):
    """A Nova rule that reads host-level facts (nova.conf, sysfs, OVS).

    `relevant(instance)` says whether the rule matters to the instance at all; `unchecked(ctx)`
    returns why the check could not run (e.g. "host facts not gathered on compute-1"), or None.
    HOST_FACTS_MISSING reports what these rules had to skip.
    """

    def relevant(self, instance):
        raise NotImplementedError

    def unchecked(self, ctx):
        return None


def facts_not_gathered(hosts):
    names = without_facts(*hosts)
    return "host facts not gathered on %s" % ", ".join(names) if names else None
