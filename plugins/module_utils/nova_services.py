# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Enable, disable and force down a nova-compute service, idempotently, for nova_compute_service.

Disables this collection makes carry a reason starting with `vmops:`; only those are undone
without `force`, so a host someone else took out of service stays out.
"""

from __future__ import annotations

from ansible_collections.vmops.migration.plugins.module_utils import hostnames
from ansible_collections.vmops.migration.plugins.module_utils import openstack as nova_module
from ansible_collections.vmops.migration.plugins.module_utils.errors import VmopsError
from ansible_collections.vmops.migration.plugins.module_utils.nova_api import get_all, put_json
from ansible_collections.vmops.migration.plugins.module_utils.nova_migrations import MIGRATIONS_MICROVERSION

# 2.53: services are addressed by UUID with PUT /os-services/{id}.
SERVICES_MICROVERSION = "2.53"
REASON_PREFIX = "vmops:"
DEFAULT_REASON = "vmops:nova_compute_service"
DIFF_FIELDS = ("status", "disabled_reason", "forced_down")


def ours(reason):
    return bool(reason) and reason.startswith(REASON_PREFIX)


def our_reason(reason):
    """The reason as stored: prefixed with `vmops:` so that we recognise it later."""
    return reason if ours(reason) else REASON_PREFIX + reason


def service_view(service):
    return {name: service.get(name) for name in (
        "id", "host", "binary", "zone", "state", "status", "disabled_reason", "forced_down", "updated_at")}


def plan_update(service, state=None, disabled_reason=None, forced_down=None, force=False, host_fenced=False):
    """The PUT body that brings `service` to the wanted state ({} when nothing differs), and the
    problems that forbid it (all of them, before anything is written)."""
    body, problems = {}, []
    current_reason = service.get("disabled_reason")
    if state == "disabled":
        reason = our_reason(disabled_reason or DEFAULT_REASON)
        if service.get("status") != "disabled" or (current_reason != reason and (ours(current_reason) or force)):
            body.update(status="disabled", disabled_reason=reason)
    elif state == "enabled" and service.get("status") == "disabled":
        if ours(current_reason) or force:
            body["status"] = "enabled"
        else:
            problems.append("the compute service on %s was disabled by someone else (reason: %s); not enabling it. "
                            "Set force=true to enable it anyway" % (service["host"], _quoted(current_reason)))
    if forced_down is not None and bool(service.get("forced_down")) != forced_down:
        if forced_down and not host_fenced:
            problems.append("forcing the compute service on %s down makes Nova treat the host as dead: if it is still "
                            "running its guests, evacuating them starts a second copy (split brain). Fence the host "
                            "(power it off or isolate it), then set host_fenced=true" % service["host"])
        body["forced_down"] = forced_down
    return body, problems


def state_after(service, body):
    after = dict(service)
    after.update(body)
    if body.get("status") == "enabled":
        after["disabled_reason"] = None
    return after


def diff_view(service):
    return {name: service.get(name) for name in DIFF_FIELDS}


def _quoted(reason):
    return '"%s"' % reason if reason else "none given"


def find_compute_service(conn, host):
    services = get_all(conn.compute, "/os-services", "services", SERVICES_MICROVERSION, {"binary": "nova-compute"})
    name = hostnames.resolve([host], [service["host"] for service in services], "host")[0]
    return next(service for service in services if service["host"] == name)


def pending_evacuations(conn, host):
    """`done` evacuations from `host`: Nova refuses to clear forced_down while any remain."""
    found = get_all(conn.compute, "/os-migrations", "migrations", MIGRATIONS_MICROVERSION,
                    {"host": host, "status": "done", "migration_type": "evacuation"})
    return [migration for migration in found if migration.get("source_compute") == host]


def compute_service(module):
    """The result of nova_compute_service."""
    params = module.params
    conn = module.conn
    nova_module.require_microversion(conn, SERVICES_MICROVERSION, "nova_compute_service")
    service = find_compute_service(conn, params["host"])
    body, problems = plan_update(service, state=params["state"], disabled_reason=params["disabled_reason"],
                                 forced_down=params["forced_down"], force=params["force"],
                                 host_fenced=params["host_fenced"])
    if body.get("forced_down") is False:
        evacuations = pending_evacuations(conn, service["host"])
        if evacuations:
            problems.append("Nova refuses to clear forced_down on %s while %d `done` evacuation record(s) remain "
                            "(servers %s): start its nova-compute service first, so it cleans up the evacuated "
                            "guests and marks the records `completed`" % (
                                service["host"], len(evacuations),
                                ", ".join(sorted({m["instance_uuid"] for m in evacuations}))))
    if problems:
        raise VmopsError("; ".join(problems))
    after = state_after(service, body)
    if body and not module.check_mode:
        after = put_json(conn.compute, "/os-services/%s" % service["id"], body, SERVICES_MICROVERSION)["service"]
    return {
        "changed": bool(body),
        "service": service_view(after),
        "diff": {"before": diff_view(service), "after": diff_view(after)},
    }
