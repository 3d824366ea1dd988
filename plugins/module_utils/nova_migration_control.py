# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""nova_migration_abort and nova_migration_force_complete below their main(): find the server's
live migration in progress (or check that `migration_id` is one of its own), act, wait for the end."""

from __future__ import annotations

import time

from ansible_collections.vmops.migration.plugins.module_utils.constraints.base import LIVE
from ansible_collections.vmops.migration.plugins.module_utils.errors import InputError, MigrationFailed
from ansible_collections.vmops.migration.plugins.module_utils.executor import IN_PROGRESS, Move
from ansible_collections.vmops.migration.plugins.module_utils.nova_adapter import NovaBackend

ARGUMENT_SPEC = {
    "server": {"type": "str", "required": True},
    "migration_id": {"type": "str"},
    "poll_interval": {"type": "float", "default": 1.0},
}
# What each action waits for, as Nova migration states.
_ENDS = {"abort": ("cancelled", "error", "failed", "completed"),
         "force_complete": ("completed", "error", "failed", "cancelled")}


def control(module, action, clock=time.monotonic):
    """Abort or force-complete the server's in-progress live migration; no migration: no change."""
    params = module.params
    backend = NovaBackend(module.conn)
    server = backend.find_servers([params["server"]], "server")[0]
    move = Move(instance=server.id, name=server.name, source=server.compute_host, type=LIVE)
    handles = backend.migrations(move)
    if params["migration_id"] is not None:
        handle = next((h for h in handles if h.id == str(params["migration_id"])), None)
        if handle is None:
            raise InputError("migration_id", "migration %s is not a live migration of server %s (its live migrations: "
                             "%s)" % (params["migration_id"], server.name or server.id,
                                      ", ".join(h.id for h in handles) or "none"))
        if handle.status != IN_PROGRESS:
            return _unchanged(server, handle, "migration %s already ended (%s)" % (handle.id, handle.data["status"]))
    else:
        running = [h for h in handles if h.status == IN_PROGRESS]
        if not running:
            return _unchanged(server, None, "no live migration of %s is in progress" % (server.name or server.id))
        handle = running[-1]
    result = {"changed": True, "server": server.id, "name": server.name, "migration_id": handle.id,
              "status_before": handle.data["status"], "source": handle.data["source"], "target": handle.target}
    if module.check_mode:
        return result
    if action == "abort":
        backend.abort(move, handle)
    else:
        _refuse_unless_running(handle)
        backend.force_complete(move, handle)
    if params["wait"]:
        status = _wait(backend, move, handle, _ENDS[action], params["timeout"], params["poll_interval"], clock)
        result.update(status_after=status, host=backend.server(server.id).compute_host)
    return result


def _refuse_unless_running(handle):
    if handle.data["status"] != "running":
        raise MigrationFailed("RACE", "migration %s is %s: Nova force-completes only running migrations; retry when it "
                                      "runs" % (handle.id, handle.data["status"]))


def _wait(backend, move, handle, ends, timeout_s, interval_s, clock):
    deadline = clock() + timeout_s
    while True:
        status = next(h.data["status"] for h in backend.migrations(move) if h.id == handle.id)
        if status in ends:
            return status
        if clock() >= deadline:
            raise MigrationFailed("TIMEOUT", "migration %s still %s after %ds" % (handle.id, status, timeout_s))
        backend.sleep(interval_s)


def _unchanged(server, handle, message):
    return {"changed": False, "server": server.id, "name": server.name,
            "migration_id": handle.id if handle else None, "msg": message, "host": server.compute_host}
