# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters over the planning core: the same functions modules use, for playbooks.

Each filter's documentation is in the YAML file of the same name beside this one.
"""

from __future__ import annotations

import json

from ansible.errors import AnsibleFilterError
from ansible.utils.display import Display

from ansible_collections.vmops.migration.plugins.module_utils import (
    guest_placement, host_facts_merge, plan_check, planner, report, report_html, targeting,
)
from ansible_collections.vmops.migration.plugins.module_utils.errors import InputError, VmopsError
from ansible_collections.vmops.migration.plugins.module_utils.snapshot import SnapshotError, parse_snapshot


def _guarded(function):
    """Run a core function, turning its typed errors into a filter error naming the filter."""
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except (VmopsError, SnapshotError) as error:
            raise AnsibleFilterError("vmops.migration.%s: %s" % (function.__name__, error)) from error
    wrapper.__name__ = function.__name__
    wrapper.__doc__ = function.__doc__
    return wrapper


@_guarded
def live_migration_blockers(snapshot, instance, target, move_type=None):
    """Every reason (block, warn, info) against moving `instance` to `target`."""
    return [reason.to_dict() for reason in targeting.move_reasons(parse_snapshot(snapshot), instance, target, move_type)]


@_guarded
def migration_targets(snapshot, instance, move_type=None):
    """Feasible targets best first, and rejected ones with their reasons."""
    feasible, rejected = targeting.ranked_targets(parse_snapshot(snapshot), instance, move_type)
    return {"feasible": feasible, "rejected": rejected}


@_guarded
def drain_plan(snapshot, hosts, **options):
    return planner.drain(snapshot, hosts, options)


@_guarded
def evacuate_plan(snapshot, hosts, **options):
    return planner.evacuate(snapshot, hosts, options)


@_guarded
def rebalance_plan(snapshot, **options):
    return planner.rebalance(snapshot, options)


@_guarded
def explain_reasons(data):
    """Text for a list of reasons, one blocked entry, or a whole plan."""
    if isinstance(data, dict) and "moves" in data:
        return report.plan_summary(data)
    if isinstance(data, dict) and "reasons" in data:
        data = data["reasons"]
    if not isinstance(data, list) or not all(isinstance(item, dict) and "code" in item for item in data):
        raise InputError("_input", "expects a list of reasons, a blocked entry or a plan")
    return report.explain_reasons(data)


@_guarded
def plan_outcome(plan, before, after):
    """Problems of the plan's instances after a run (empty when every move ended as it should)."""
    return plan_check.outcome_problems(plan, before, after)


@_guarded
def migration_report(data, results=None, run_id=None, started_at=None, finished_at=None, elapsed_s=None, format="dict",
                     findings=None):
    """A run's report (plan + results) as a dict, JSON text, Markdown or a self-contained HTML page."""
    if not isinstance(data, dict) or "moves" not in data:
        raise InputError("_input", "expects a plan or a report")
    built = data if "totals" in data else report.run_report(data, results or [], run_id, started_at, finished_at,
                                                            elapsed_s, findings or [])
    if format == "dict":
        return built
    if format == "json":
        return json.dumps(built, indent=1, sort_keys=True) + "\n"
    if format in ("md", "markdown"):
        return report.markdown_report(built)
    if format == "html":
        return report_html.html_report(built)
    raise InputError("format", "must be dict, json, markdown or html, got %r" % (format,))


@_guarded
def host_facts_hosts(snapshot, inventory_hosts, exclude=None):
    """{inventory host: hypervisor} to run nova_host_config_facts on."""
    return host_facts_merge.inventory_hosts_for(snapshot, inventory_hosts, exclude or [])


@_guarded
def merge_host_facts(snapshot, computes, compute_results=None, controller_results=None):
    """The snapshot with the gathered host facts merged in; warns once about what stays unchecked."""
    merged, missing = host_facts_merge.merge_gathered(snapshot, computes, compute_results or [], controller_results or [])
    warning = host_facts_merge.unchecked_warning(missing, controller_results or [])
    if warning:
        # A filter cannot return a warning with its value; Display shows it like a module's (once per text).
        Display().warning(warning)
    return merged


@_guarded
def guest_placement_checks(plan, snapshot, computes, results=None, before=None):
    """The NUMA-bound guests' moves to read placement for: on the source before, on the target after."""
    return guest_placement.placement_checks(plan, snapshot, computes, results, before)


@_guarded
def numa_topology_findings(after_results):
    """NUMA_TOPOLOGY_DIFFERS reasons from nova_guest_placement_facts results on the targets."""
    return guest_placement.numa_findings(after_results)


class FilterModule:
    def filters(self):
        return {function.__name__: function for function in (
            live_migration_blockers, migration_targets, drain_plan, evacuate_plan, rebalance_plan, explain_reasons,
            migration_report, plan_outcome, host_facts_hosts, merge_host_facts, guest_placement_checks,
            numa_topology_findings)}
