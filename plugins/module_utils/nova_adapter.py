# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Nova backend of the executor: openstacksdk calls that move servers and watch them.

Reads (GET) are retried with backoff on 5xx and connection errors; writes never are: a write
whose answer is lost raises `AnswerLost`, and the executor looks at the server's migrations
before sending it again. Nova's answers become our typed errors with the stable failure codes.

Nova facts this relies on (see the twin recipe): the server turns ACTIVE before its live
migration record is `completed`, so completion is read from the record; evacuation is
asynchronous and ends with an `evacuation` record `done`; asked at microversion 2.94 at most,
Nova starts a server that was running again itself (from 2.95 it leaves it SHUTOFF); a cold
migration waits in VERIFY_RESIZE (record `finished`) until it is confirmed or reverted.

Move options this backend reads: `block_migration` (live); `confirm` (cold, default true: confirm
once the server waits in VERIFY_RESIZE); `revert` (cold: revert the waiting migration instead,
and count `reverted` as success); `adopt_only` (cold: settle the server's waiting migration and
never start a new one); `was_active` (evacuate: start the server again should it end SHUTOFF).
"""

from __future__ import annotations

import datetime
import functools
import re
import time
from dataclasses import dataclass, field

from ansible_collections.vmops.migration.plugins.module_utils import hostnames
from ansible_collections.vmops.migration.plugins.module_utils import openstack as nova_module
from ansible_collections.vmops.migration.plugins.module_utils.constraints.base import COLD, EVACUATE, LIVE
from ansible_collections.vmops.migration.plugins.module_utils.errors import (
    AnswerLost, InputError, MigrationFailed, NotFound,
)
from ansible_collections.vmops.migration.plugins.module_utils.executor import (
    CANCELLED, COMPLETED, FAILED, IN_PROGRESS, Handle, Progress,
)
from ansible_collections.vmops.migration.plugins.module_utils.failures import Failure
from ansible_collections.vmops.migration.plugins.module_utils.nova_api import get_all
from ansible_collections.vmops.migration.plugins.module_utils.nova_facts import FACTS_MICROVERSION
from ansible_collections.vmops.migration.plugins.module_utils.retry import retry_read

MIGRATION_TYPES = {LIVE: "live-migration", COLD: "migration", EVACUATE: "evacuation"}
EVACUATE_MICROVERSION = "2.94"  # the last one at which Nova restarts an evacuated server that was running
# Nova migration status -> executor state, per move type. Anything unlisted is in progress.
_ENDED = {
    LIVE: {"completed": COMPLETED},
    COLD: {"confirmed": COMPLETED, "reverted": CANCELLED},
    EVACUATE: {"done": COMPLETED, "completed": COMPLETED},
}
_FAILED_STATUSES = ("error", "failed")
_CANCELLED_STATUSES = ("cancelled",)
# Statuses in which Nova accepts an abort (2.24: running; 2.65: also queued and preparing).
ABORTABLE = ("queued", "preparing", "running")
# Nova records a cold migration in the conductor after the API has answered (an RPC cast), so
# the record is looked for this long before the start counts as refused.
RECORD_WAIT_S = 30.0
RECORD_LOOK_S = 0.2
# Polls and starts read the compute services' states at most this often, to see a target die.
SERVICE_STATES_TTL_S = 2.0
# How long a live start waits for Nova's checks to put its migration in line (then the polls tell).
IN_LINE_WAIT_S = 10.0
# Queued behind the source's max_concurrent_live_migrations, or not yet handed to it by the conductor.
_WAITING_STATUSES = ("accepted", "queued")
# The round's migration list asks for records changed since the oldest watched one was created, less
# this margin; the server's own timestamps are used, so a skewed client clock does not matter.
ROUND_MARGIN = datetime.timedelta(seconds=1)
UUID = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$", re.I)

# Nova's messages -> failure codes, first match wins. NoValidHost says "not enough hosts", so
# it goes before the resource patterns.
_PATTERNS = [
    (re.compile(r"No valid host", re.I), "NO_VALID_HOST"),
    (re.compile(r"(server group|affinity)", re.I), "SERVER_GROUP_CHECK_FAILED"),
    (re.compile(r"(older|newer|too old|version)", re.I), "MIXED_VERSION"),
    (re.compile(r"(insufficient|lack of|not enough|exceed|out of (memory|disk))", re.I), "INSUFFICIENT_RESOURCES"),
    (re.compile(r"Instance \S+ could not be found", re.I), "INSTANCE_NOT_FOUND"),
    (re.compile(r"(task_state|vm_state|while it is in|is locked|in progress)", re.I), "RACE"),
    (re.compile(r"(Compute host \S+ could not be found|to current host|is not (up|enabled)|disabled)", re.I),
     "DEST_UNAVAILABLE"),
]
_SERVICE_UNAVAILABLE = re.compile(r"Compute service of (\S+) is (unavailable|down)", re.I)


def classify(message, status_code=None, source=None):
    """The failure code for one of Nova's error messages (`source` tells a dead source from a dead target)."""
    text = message or ""
    unavailable = _SERVICE_UNAVAILABLE.search(text)
    if unavailable:
        return "COMPUTE_SERVICE_DOWN" if unavailable.group(1).rstrip(".") == source else "DEST_UNAVAILABLE"
    for pattern, code in _PATTERNS:
        if pattern.search(text):
            return code
    if status_code == 404:
        return "INSTANCE_NOT_FOUND"
    if status_code == 409:
        return "RACE"
    return "UNKNOWN"


def _message(error):
    return getattr(error, "details", None) or str(error)


@dataclass(frozen=True)
class ListedServer:
    """A servers/detail entry with the attributes of openstacksdk's Server that moving one needs.

    A host's servers are read as JSON: building openstacksdk's Server objects took 17 ms each,
    3.5 of the 10 s a 200-server call spent before its first move and after its last.
    """

    id: str
    name: str | None
    compute_host: str | None
    status: str | None
    task_state: str | None
    vm_state: str | None
    flavor: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)
    addresses: dict = field(default_factory=dict)

    @classmethod
    def from_json(cls, entry):
        return cls(id=entry["id"], name=entry.get("name"), compute_host=entry.get("OS-EXT-SRV-ATTR:host"),
                   status=entry.get("status"), task_state=entry.get("OS-EXT-STS:task_state"),
                   vm_state=entry.get("OS-EXT-STS:vm_state"), flavor=entry.get("flavor") or {},
                   metadata=entry.get("metadata") or {}, addresses=entry.get("addresses") or {})


class NovaBackend:
    """Executor backend over one openstacksdk connection (shared by the executor's threads)."""

    def __init__(self, conn, sleep=time.sleep, clock=time.monotonic):
        self.conn = conn
        self.sleep = sleep
        self.clock = clock
        self._service_states = {}
        self._service_states_read = None
        self._round_records = {}

    # -- reads and writes -----------------------------------------------------------------

    def read(self, call):
        """`call()` retried with backoff on 5xx and connection errors (GETs are idempotent)."""
        return retry_read(call, nova_module.is_transient, self.sleep)

    def write(self, call, source=None, target=None):
        """`call()` once; Nova's refusal becomes MigrationFailed, a lost answer AnswerLost."""
        try:
            return call()
        except nova_module.sdk_exceptions.HttpException as error:
            status = getattr(error, "status_code", None)
            if status is None or status >= 500:
                raise AnswerLost("no usable answer (HTTP %s): %s" % (status, _message(error))) from error
            raise MigrationFailed(classify(_message(error), status, source), _message(error), target) from error
        except Exception as error:
            if nova_module.is_transient(error):
                raise AnswerLost("no answer: %s" % error) from error
            raise

    # -- the executor's backend interface --------------------------------------------------

    def migrations(self, move):
        records = self.read(lambda: list(self.conn.compute.migrations(
            instance_uuid=move.instance, migration_type=MIGRATION_TYPES[move.type])))
        return [self._handle(move, record) for record in sorted(records, key=lambda record: record.id)]

    def _handle(self, move, record):
        return Handle(id=str(record.id), status=self.state_of(move, record.status), target=record.dest_compute,
                      data={"status": record.status, "source": record.source_compute, "created_at": record.created_at},
                      in_line=_in_line(move, record))

    @staticmethod
    def state(move_type, status):
        if status in _FAILED_STATUSES:
            return FAILED
        if status in _CANCELLED_STATUSES:
            return CANCELLED
        return _ENDED[move_type].get(status, IN_PROGRESS)

    def state_of(self, move, status):
        """The executor state of a Nova status for this move: a revert asked for ends well when `reverted`."""
        if move.options.get("revert") and status == "reverted":
            return COMPLETED
        return self.state(move.type, status)

    def start(self, move, target, known_ids):
        if move.options.get("adopt_only") or move.options.get("revert"):
            # The executor adopts the waiting migration before it calls start: none is left.
            raise MigrationFailed("RACE", "server %s no longer waits in VERIFY_RESIZE: nothing to confirm or revert"
                                  % move.instance)
        if target and self._service_state(target) == "down":
            # Nova would accept the request and fail it later, leaving a migration to a dead host.
            raise MigrationFailed("DEST_UNAVAILABLE", "the nova-compute service of target %s is down" % target, target)
        self.write(self._start_request(move, target), move.source, target)
        sent = time.monotonic()
        deadline = sent + RECORD_WAIT_S
        while True:
            fresh = [handle for handle in self.migrations(move) if handle.id not in known_ids]
            # Returning once it is in line lets the executor hand the source's next move over at once.
            if fresh and (fresh[-1].in_line or time.monotonic() - sent >= IN_LINE_WAIT_S):
                return fresh[-1]
            if not fresh and time.monotonic() >= deadline:
                raise MigrationFailed("UNKNOWN", "Nova accepted the request but recorded no %s within %ds"
                                      % (MIGRATION_TYPES[move.type], RECORD_WAIT_S), target)
            self.sleep(RECORD_LOOK_S)

    def _start_request(self, move, target):
        """The API call that starts `move`, ready to send."""
        compute = self.conn.compute
        if move.type == LIVE:
            return functools.partial(compute.live_migrate_server, move.instance, host=target,
                                     block_migration=move.options.get("block_migration", "auto"))
        if move.type == COLD:
            return functools.partial(compute.migrate_server, move.instance, host=target)
        return functools.partial(self._evacuate, move.instance, target)

    def _evacuate(self, server_id, target):
        """Evacuate at microversion 2.94 at most: up to 2.94 Nova itself starts a rebuilt server that was
        running. From 2.95 it leaves it SHUTOFF for us to start, and a run killed before that start would
        leave it stopped, where a rerun cannot tell that it ran before."""
        compute = self.conn.compute
        version = nova_module.sdk_utils.maximum_supported_microversion(compute, EVACUATE_MICROVERSION)
        body = {} if target is None else {"host": target}
        response = compute.post("/servers/%s/action" % server_id, json={"evacuate": body}, microversion=version)
        nova_module.sdk_exceptions.raise_from_response(response)

    def begin_poll_round(self, watched):
        """Read the round's migrations with one list request (changed since the oldest watched one began)."""
        created = [_timestamp(handle.data.get("created_at")) for unused_move, handle in watched]
        created = [when for when in created if when is not None]
        self._round_records = {}
        if not created:
            return
        since = (min(created) - ROUND_MARGIN).isoformat()
        records = self.read(lambda: list(self.conn.compute.migrations(changes_since=since)))
        self._round_records = {str(record.id): record for record in records}

    def poll(self, move, handle):
        record = self._record(move, handle)
        state = self.state_of(move, record.status)
        progress = Progress(status=state, target=record.dest_compute, host=move.source,
                            waiting=record.status in _WAITING_STATUSES, in_line=_in_line(move, record))
        if move.type == LIVE and state == IN_PROGRESS and record.status == "running":
            self._add_live_progress(move, handle, progress)
        if move.type == LIVE and record.status in ABORTABLE and record.dest_compute:
            progress.target_down = self._service_state(record.dest_compute) == "down"
        if state == COMPLETED or (move.type == COLD and record.status == "finished"):
            return self._ended(move, handle, record, progress)
        if state in (FAILED, CANCELLED):
            progress.failure = self._why(move, record)
        return progress

    def _service_state(self, host):
        """The host's nova-compute state (up/down), as Nova judges it, read at most every few seconds."""
        now = self.clock()
        if self._service_states_read is None or now - self._service_states_read >= SERVICE_STATES_TTL_S:
            self._service_states = {name: service.state for name, service in self.compute_services().items()}
            self._service_states_read = now
        return self._service_states.get(host)

    def _record(self, move, handle):
        """The handle's migration record: from this round's list, else read by itself (also when the list
        missed it: Nova leaves a record it never updated out of changes-since)."""
        record = self._round_records.pop(handle.id, None)
        if record is not None:
            return record
        records = self.read(lambda: list(self.conn.compute.migrations(
            instance_uuid=move.instance, migration_type=MIGRATION_TYPES[move.type])))
        for record in records:
            if str(record.id) == handle.id:
                return record
        try:
            self.server(move.instance)
        except NotFound as error:
            raise MigrationFailed("SOURCE_DELETED", "server %s was deleted during the move" % move.instance) from error
        raise MigrationFailed("UNKNOWN", "migration %s of server %s disappeared" % (handle.id, move.instance))

    def _add_live_progress(self, move, handle, progress):
        """Byte counters of a running live migration (GET /servers/{id}/migrations/{mid})."""
        try:
            detail = self.read(lambda: self.conn.compute.get_server_migration(handle.id, move.instance,
                                                                              ignore_missing=False))
        except nova_module.sdk_exceptions.NotFoundException:
            return  # it just ended: the next poll reads the final record
        for field in ("memory_total", "memory_processed", "memory_remaining",
                      "disk_total", "disk_processed", "disk_remaining"):
            setattr(progress, field, getattr(detail, field + "_bytes", None))

    def _ended(self, move, handle, record, progress):
        """The server after the move; cold moves are confirmed or reverted, evacuated ones restarted here.

        A live migration is only `completed` once Nova has the server on its destination, so the record
        says where it is and the server need not be read."""
        if move.type == LIVE and record.dest_compute:
            progress.host = record.dest_compute
            return progress
        server = self.server(move.instance)
        progress.host = server.compute_host
        if move.type == COLD and record.status == "finished":
            if move.options.get("revert"):
                self._settle_once(move, handle, server, "revert", self.conn.compute.revert_server_resize)
            elif move.options.get("confirm", True):
                self._settle_once(move, handle, server, "confirm", self.conn.compute.confirm_server_resize)
            else:
                progress.status = COMPLETED  # left in VERIFY_RESIZE, as asked
                return progress
            progress.status = IN_PROGRESS  # until the record says confirmed or reverted
        elif move.type == COLD and _settling(server):
            # Nova marks the record confirmed or reverted before it has finished with the server.
            progress.status = IN_PROGRESS
        elif move.type == EVACUATE and move.options.get("was_active") and server.status != "ACTIVE":
            # Nova restarts it below 2.95 (see _evacuate); should it end SHUTOFF anyway, start it, as it ran before.
            if server.status == "SHUTOFF" and not handle.data.get("start_sent"):
                self.write(lambda: self.conn.compute.start_server(move.instance), move.source)
                handle.data["start_sent"] = True
            progress.status = IN_PROGRESS  # until it is ACTIVE
        return progress

    def _settle_once(self, move, handle, server, action, call):
        """Confirm or revert a migration waiting in VERIFY_RESIZE, sending the request only once."""
        sent = action + "_sent"
        if server.status == "VERIFY_RESIZE" and not handle.data.get(sent):
            self.write(lambda: call(move.instance), move.source)
            handle.data[sent] = True

    def _why(self, move, record):
        """Failure code and message from the server's instance actions (the newest for this move)."""
        if record.status in _CANCELLED_STATUSES:
            return Failure("ABORTED", "migration %s was cancelled" % record.id)
        message = "migration %s ended %s" % (record.id, record.status)
        try:
            actions = self.read(lambda: list(self.conn.compute.server_actions(move.instance)))
        except nova_module.sdk_exceptions.SDKException:
            return Failure("UNKNOWN", message)
        for action in sorted(actions, key=lambda a: a.start_time or "", reverse=True):
            if action.action not in ("live-migration", "migrate", "evacuate"):
                continue
            detail = self.read(lambda: self.conn.compute.get_server_action(action.request_id, move.instance))
            texts = [event.details for event in (detail.events or []) if getattr(event, "details", None)]
            if texts:
                text = "; ".join(texts)
                return Failure(classify(text, source=move.source), "%s: %s" % (message, text))
            break
        return Failure("UNKNOWN", message)

    def abort(self, move, handle):
        self.write(lambda: self.conn.compute.abort_server_migration(handle.id, move.instance, ignore_missing=False),
                   move.source)

    def force_complete(self, move, handle):
        self.write(lambda: self.conn.compute.force_complete_server_migration(handle.id, move.instance), move.source)

    # -- finding servers and hosts ---------------------------------------------------------

    def server(self, server_id):
        try:
            return self.read(lambda: self.conn.compute.get_server(server_id))
        except nova_module.sdk_exceptions.NotFoundException as error:
            raise NotFound("server", server_id) from error

    def find_servers(self, wanted, parameter="servers"):
        """Servers by id or exact name, in the given order; every unknown or ambiguous one at once."""
        found, problems = [], []
        for key in wanted:
            matches = []
            if UUID.match(key):
                try:
                    matches = [self.server(key)]
                except NotFound:
                    matches = []
            if not matches:
                matches = [server for server in self.read(lambda: list(self.conn.compute.servers(
                    details=True, all_projects=True, name="^%s$" % re.escape(key)))) if server.name == key]
            if not matches:
                problems.append("no server with id or name %r" % key)
            elif len(matches) > 1:
                problems.append("name %r matches %d servers (%s): use the id" % (
                    key, len(matches), ", ".join(sorted(server.id for server in matches))))
            elif all(server.id != matches[0].id for server in found):
                found.append(matches[0])
        if problems:
            raise InputError(parameter, "; ".join(problems))
        return found

    def compute_services(self):
        """host name -> nova-compute service."""
        services = self.read(lambda: list(self.conn.compute.services(binary="nova-compute")))
        return {service.host: service for service in services}

    def resolve_host(self, name, parameter="host"):
        return hostnames.resolve([name], self.compute_services(), parameter)[0]

    def waiting_resize(self, server_id):
        """The server's cold migration waiting to be confirmed or reverted (record `finished`), or None."""
        records = self.read(lambda: list(self.conn.compute.migrations(
            instance_uuid=server_id, migration_type=MIGRATION_TYPES[COLD], status="finished")))
        return max(records, key=lambda record: record.id) if records else None

    def evacuations_from(self, host):
        """Evacuation records whose source is `host`, oldest first."""
        records = self.read(lambda: list(self.conn.compute.migrations(source_compute=host,
                                                                      migration_type=MIGRATION_TYPES[EVACUATE])))
        return sorted((record for record in records if record.source_compute == host), key=lambda record: record.id)

    def servers_on(self, host):
        """Servers whose compute host is exactly `host` (Nova's own filter, checked again here)."""
        # The facts' microversion embeds the flavor in each server (`flavor_size`).
        entries = get_all(self.conn.compute, "/servers/detail", "servers", FACTS_MICROVERSION,
                          {"all_tenants": 1, "host": host})
        servers = (ListedServer.from_json(entry) for entry in entries)
        return sorted((server for server in servers if server.compute_host == host), key=lambda s: (s.name or "", s.id))


def _in_line(move, record):
    """Nova's conductor checks an `accepted` live migration before the source compute queues it:
    a request sent later may pass it. Past that, the source runs its queue in order."""
    return move.type != LIVE or record.status != "accepted"


def _timestamp(text):
    """A Nova timestamp (UTC, without a zone) as a naive datetime, or None."""
    try:
        return datetime.datetime.fromisoformat(text) if text else None
    except (TypeError, ValueError):
        return None


def _settling(server):
    return bool(server.task_state) or server.status in ("RESIZE", "VERIFY_RESIZE", "REVERT_RESIZE")


def flavor_size(server):
    """(memory MiB, root+ephemeral disk GiB) from the embedded flavor (2.47+)."""
    flavor = server.flavor or {}
    return flavor.get("ram"), float((flavor.get("disk") or 0) + (flavor.get("ephemeral") or 0))
