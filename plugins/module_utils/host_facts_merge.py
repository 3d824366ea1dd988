# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Host facts in the roles: which inventory hosts to ask, and the answers merged into a snapshot.

The roles run nova_host_config_facts on the inventory hosts that stand for the snapshot's
hypervisors (TripleO's `overcloud-novacompute-0` is `overcloud-novacompute-0.localdomain`) and on
the controllers, then merge what came back here. A hypervisor without an answer (not in the
inventory, unreachable, the module failed, or gathering off) keeps no host facts: the rules that
need them report HOST_FACTS_MISSING on its instances, and `unchecked_warning` says so once.
Standard library only.
"""

from __future__ import annotations

from ansible_collections.vmops.migration.plugins.module_utils import hostnames
from ansible_collections.vmops.migration.plugins.module_utils.host_config import merge_host_facts

# The constraints that are guesses without host facts (HOST_FACTS_MISSING names the skipped ones per move).
UNCHECKED_CODES = ("SHARED_CPU_SET_MISMATCH", "NUMA_LIVE_MIGRATION_DISABLED", "SCHEDULER_FILTERS_MISSING",
                   "DPDK_TARGET_NOT_EQUIVALENT", "NUMA_TOPOLOGY_DIFFERS")


def inventory_hosts_for(snapshot, inventory_hosts, exclude=()):
    """{inventory host: hypervisor} for the snapshot's hypervisors that have an inventory host.

    `exclude` names hypervisors not to ask (an evacuation's dead sources)."""
    skipped = set(hostnames.matches(exclude, _hypervisors(snapshot)).values())
    wanted = [name for name in _hypervisors(snapshot) if name not in skipped]
    return hostnames.matches(inventory_hosts, wanted)


def merge_gathered(snapshot, computes, compute_results, controller_results=()):
    """(snapshot with every answered compute's and controller's facts merged, {hypervisor: why not}).

    `computes` is the {inventory host: hypervisor} map the compute results were asked for; the
    results are the `results` of a looped nova_host_config_facts task (item = inventory host).
    """
    merged = snapshot
    answered = set()
    for result in compute_results:
        if _answered(result):
            merged = merge_host_facts(merged, computes[result["item"]], result["host_fragment"])
            answered.add(computes[result["item"]])
    for result in controller_results:
        if _answered(result):
            merged = merge_host_facts(merged, None, None, result["settings_fragment"])
    missing = {name: _why_not(name, computes, compute_results) for name in _hypervisors(snapshot) if name not in answered}
    return merged, missing


def unchecked_warning(missing, controller_results=()):
    """One warning naming the unchecked constraints and why, or None when nothing is missing."""
    parts = ["%s (%s)" % (name, why) for name, why in sorted(missing.items())]
    if not any(_answered(result) for result in controller_results):
        parts.append("the controllers (scheduler filters)")
    if not parts:
        return None
    return ("Host facts not gathered from %s: %s are unchecked for their instances, which carry HOST_FACTS_MISSING "
            "(info) in the plan." % ("; ".join(parts), ", ".join(UNCHECKED_CODES)))


def _hypervisors(snapshot):
    return [host["name"] for host in snapshot.get("hosts", [])]


def _answered(result):
    return not (result.get("unreachable") or result.get("failed") or result.get("skipped"))


def _why_not(hypervisor, computes, compute_results):
    host = next((inventory for inventory, name in computes.items() if name == hypervisor), None)
    if host is None:
        return "not in the inventory"
    result = next((result for result in compute_results if result.get("item") == host), None)
    if result is None or result.get("skipped"):
        return "gathering off"
    if result.get("unreachable"):
        return "unreachable"
    return "failed: %s" % str(result.get("msg", "")).strip()[:200]
