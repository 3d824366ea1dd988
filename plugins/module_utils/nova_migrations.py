# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Nova migration records (os-migrations) with live-migration progress, for nova_migration_info
and for the facts' `migration_in_progress`."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.vmops.migration.plugins.module_utils import hostnames
from ansible_collections.vmops.migration.plugins.module_utils.errors import InputError
from ansible_collections.vmops.migration.plugins.module_utils.nova_api import get_all, get_json

# 2.59 adds the migration uuid, limit/marker paging and changes-since (Rocky).
MIGRATIONS_MICROVERSION = "2.59"
MIGRATION_TYPES = ("live-migration", "migration", "evacuation", "resize")
# Statuses of a move that has not finished: Nova's live-migration set, the cold-migration/resize
# steps, `finished` (a resize or cold migration waiting for confirmation) and an evacuation
# that has been accepted but not yet run.
IN_PROGRESS_STATUSES = (
    "queued", "preparing", "running", "post-migrating",
    "pre-migrating", "migrating", "finished", "confirming", "reverting",
    "accepted",
)
LIVE_IN_PROGRESS_STATUSES = ("queued", "preparing", "running", "post-migrating")
PROGRESS_FIELDS = (
    "memory_total_bytes", "memory_processed_bytes", "memory_remaining_bytes",
    "disk_total_bytes", "disk_processed_bytes", "disk_remaining_bytes",
)
RECORD_FIELDS = (
    "id", "uuid", "migration_type", "status", "source_compute", "dest_compute", "source_node",
    "dest_node", "dest_host", "created_at", "updated_at", "old_instance_type_id", "new_instance_type_id",
)
_UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")
_WORKERS = 8


def migration_record(raw, progress=None):
    """One os-migrations entry as we return it: Nova's field names, `server_id`, and `progress`
    (the server-migration byte counters) for a live migration in flight, else None."""
    record = {name: raw.get(name) for name in RECORD_FIELDS}
    record["server_id"] = raw.get("instance_uuid")
    record["progress"] = {name: progress.get(name) for name in PROGRESS_FIELDS} if progress else None
    return record


def is_live_in_progress(raw):
    return raw.get("migration_type") == "live-migration" and raw.get("status") in LIVE_IN_PROGRESS_STATUSES


def newest_first(records):
    return sorted(records, key=lambda record: (record.get("created_at") or "", record.get("id") or 0), reverse=True)


def query_params(server_id=None, host=None, status=None, migration_type=None, changes_since=None):
    """os-migrations query parameters for one status (Nova filters on a single status)."""
    wanted = {
        "instance_uuid": server_id, "host": host, "status": status,
        "migration_type": migration_type, "changes-since": changes_since,
    }
    return {name: value for name, value in wanted.items() if value is not None}


def fetch_migrations(conn, statuses=None, limit=None, **filters):
    """os-migrations entries matching `filters`, newest first, one request per status."""
    queries = [query_params(status=status, **filters) for status in statuses] if statuses else [query_params(**filters)]
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        pages = pool.map(lambda params: get_all(conn.compute, "/os-migrations", "migrations",
                                                MIGRATIONS_MICROVERSION, params, max_items=limit), queries)
        found = newest_first([raw for page in pages for raw in page])
    return found[:limit] if limit is not None else found


def fetch_progress(conn, raws):
    """server migration id -> its byte counters, for every live migration in flight in `raws`."""
    servers = sorted({raw["instance_uuid"] for raw in raws if is_live_in_progress(raw)})
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        answers = pool.map(lambda server_id: get_json(conn.compute, "/servers/%s/migrations" % server_id,
                                                      MIGRATIONS_MICROVERSION), servers)
        return {entry["id"]: entry for answer in answers for entry in answer.get("migrations", [])}


def resolve_server(conn, server):
    """A server id from an id or an exact name; InputError when the name is unknown or ambiguous."""
    if _UUID.match(server):
        return server
    # Nova matches `name` as a regular expression, so anchor it and escape the name.
    found = get_all(conn.compute, "/servers", "servers", params={"all_tenants": 1, "name": "^%s$" % re.escape(server)})
    exact = [entry["id"] for entry in found if entry.get("name") == server]
    if not exact:
        raise InputError("server", 'no server is named "%s"' % server)
    if len(exact) > 1:
        raise InputError("server", '"%s" names %d servers: give the id' % (server, len(exact)))
    return exact[0]


def resolve_compute_host(conn, host, parameter="host"):
    """The nova-compute service host that `host` names (exact, or TripleO short name <-> FQDN)."""
    services = get_all(conn.compute, "/os-services", "services", params={"binary": "nova-compute"})
    return hostnames.resolve([host], [service["host"] for service in services], parameter)[0]


def migration_info(module):
    """The `migrations` result of nova_migration_info."""
    params = module.params
    conn = module.conn
    if params["limit"] is not None and params["limit"] < 1:
        raise InputError("limit", "must be at least 1, got %d" % params["limit"])
    filters = {
        "server_id": resolve_server(conn, params["server"]) if params["server"] else None,
        "host": resolve_compute_host(conn, params["host"]) if params["host"] else None,
        "migration_type": params["migration_type"],
        "changes_since": params["changes_since"],
    }
    raws = fetch_migrations(conn, statuses=params["status"], limit=params["limit"], **filters)
    progress = fetch_progress(conn, raws)
    migrations = [migration_record(raw, progress.get(raw.get("id"))) for raw in raws]
    return {"changed": False, "migrations": migrations}
