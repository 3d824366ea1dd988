# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What nova_live_migrate, nova_cold_migrate and nova_evacuate do below their main():
choose the servers, check the target with the constraint core before any write, run the moves
with the executor and shape the result. Check mode stops before the first write."""

from __future__ import annotations

from dataclasses import replace

from ansible_collections.vmops.migration.plugins.module_utils import hostnames, nova_facts
from ansible_collections.vmops.migration.plugins.module_utils.constraints.base import BLOCK, COLD, EVACUATE, LIVE
from ansible_collections.vmops.migration.plugins.module_utils.errors import InputError, TargetUnavailable
from ansible_collections.vmops.migration.plugins.module_utils.executor import (
    COMPLETED, IN_PROGRESS, STALL_POLICIES, Executor, Move, Policy, summarise,
)
from ansible_collections.vmops.migration.plugins.module_utils.nova_adapter import NovaBackend, flavor_size
from ansible_collections.vmops.migration.plugins.module_utils.progress import ProgressLog
from ansible_collections.vmops.migration.plugins.module_utils.scheduling import Limits
from ansible_collections.vmops.migration.plugins.module_utils.snapshot import parse_snapshot
from ansible_collections.vmops.migration.plugins.module_utils.targeting import move_reasons, ranked_targets

# Options every moving module shares (besides the connection options).
RUN_ARGUMENT_SPEC = {
    "servers": {"type": "list", "elements": "str"},
    "host": {"type": "str"},
    "target": {"type": "str"},
    "max_per_source": {"type": "int", "default": 1},
    "max_per_target": {"type": "int", "default": 0},
    "max_parallel": {"type": "int", "default": 0},
    "poll_interval": {"type": "float", "default": 2.0},
    "max_attempts": {"type": "int", "default": 1},
}
# Live migrations handed to Nova per source beyond max_per_source; Nova queues them (see executor).
QUEUE_ARGUMENT_SPEC = {"queued_per_source": {"type": "int", "default": 2}}
LIVE_ARGUMENT_SPEC = dict(RUN_ARGUMENT_SPEC, **QUEUE_ARGUMENT_SPEC, **{
    "block_migration": {"type": "str", "choices": ["auto", "true", "false"], "default": "auto"},
    "stall_timeout": {"type": "float"},
    "on_stall": {"type": "str", "choices": list(STALL_POLICIES), "default": "abort"},
})
COLD_ARGUMENT_SPEC = dict(RUN_ARGUMENT_SPEC, **{
    "confirm": {"type": "bool", "default": True},
    "revert": {"type": "bool", "default": False},
})
# Every evacuation leaves the one dead host, so max_parallel is the only limit that means anything there.
EVACUATE_ARGUMENT_SPEC = dict({name: spec for name, spec in RUN_ARGUMENT_SPEC.items() if name != "max_per_source"}, **{
    "host": {"type": "str", "required": True},
    "fencing_confirmed": {"type": "bool", "default": False},
})
_BLOCK_MIGRATION = {"auto": "auto", "true": True, "false": False}
# Masakari's instance-HA mark: these servers are evacuated first.
HA_METADATA_KEY = "HA_Enabled"
_TRUE_WORDS = ("true", "t", "yes", "y", "on", "1")


def check_run_options(params):
    """Every bad number at once, before anything is read or written."""
    problems = []
    for name in ("max_per_source", "max_per_target", "max_parallel"):
        if params[name] < 0:
            problems.append("%s: must be >= 0 (0 means no limit), got %d" % (name, params[name]))
    if params.get("queued_per_source", 0) < 0:
        problems.append("queued_per_source: must be >= 0 (0 hands Nova no move ahead), got %d" % params["queued_per_source"])
    if params["max_attempts"] < 1:
        problems.append("max_attempts: must be >= 1, got %d" % params["max_attempts"])
    if params["poll_interval"] <= 0:
        problems.append("poll_interval: must be > 0, got %s" % params["poll_interval"])
    if (params.get("stall_timeout") or 0) < 0:
        problems.append("stall_timeout: must be >= 0, got %s" % params["stall_timeout"])
    if problems:
        raise InputError(problems[0].split(":")[0], "; ".join(problems))


def select_servers(backend, params):
    """The servers to move: `servers` (ids or names) and every server on `host`."""
    if not params.get("servers") and not params.get("host"):
        raise InputError("servers", "give servers, host, or both")
    found = backend.find_servers(params["servers"]) if params.get("servers") else []
    if params.get("host"):
        host = backend.resolve_host(params["host"])
        known = {server.id for server in found}
        found += [server for server in backend.servers_on(host) if server.id not in known]
    return found


def blocked_targets(conn, servers, target, move_type):
    """Reasons (dicts) against moving each server to `target`, from a snapshot of the hosts involved."""
    hosts = sorted({server.compute_host for server in servers} | {target})
    data, unused_warnings = nova_facts.fetch_cluster(conn, hosts=hosts, gather_ports=True)
    snapshot = parse_snapshot(nova_facts.build_snapshot(data, hosts=hosts))
    blocked = []
    for server in servers:
        reasons = move_reasons(snapshot, server.id, target, move_type)
        blocking = [reason.to_dict() for reason in reasons if reason.severity == BLOCK]
        for reason in blocking:
            reason["server"] = server.name or server.id
        blocked.extend(blocking)
    return blocked


def replanner(conn, move_type=None):
    """A retry target: the best feasible host by the constraint core on a fresh snapshot.

    `move_type` None judges each move by its own type (a plan mixes live, cold and evacuate).
    """
    def replan(move, excluded):
        data, unused_warnings = nova_facts.fetch_cluster(conn, gather_ports=False)
        snapshot = parse_snapshot(nova_facts.build_snapshot(data))
        feasible = ranked_targets(snapshot, move.instance, move_type or move.type)[0]
        return next((entry["target"] for entry in feasible
                     if entry["target"] not in excluded and entry["target"] != move.source), None)
    return replan


def to_move(server, move_type, target, options):
    memory_mib, disk_gib = flavor_size(server)
    return Move(instance=server.id, name=server.name, source=server.compute_host, target=target, type=move_type,
                memory_mib=memory_mib, disk_gib=disk_gib, options=options)


def policy_from(params, stall_timeout=None, on_stall="abort"):
    per_source = params["max_per_source"]
    return Policy(limits=Limits(per_source=per_source, per_target=params["max_per_target"],
                                per_cluster=params["max_parallel"]),
                  poll_interval=params["poll_interval"], stall_timeout=stall_timeout or None, on_stall=on_stall,
                  max_attempts=params["max_attempts"], deadline_s=params["timeout"], wait=params["wait"],
                  queue_ahead=params.get("queued_per_source", 0))


def placement_diff(servers, moves, results=None):
    """{before, after}: where each moving server is, and where it is (or would be) afterwards."""
    after_by_id = {result.instance: result.target for result in results or []}
    before = {server.name or server.id: server.compute_host for server in servers}
    after = dict(before)
    for move in moves:
        key = move.name or move.instance
        after[key] = after_by_id.get(move.instance) or move.target or "(chosen by the scheduler)"
    return {"before": {"placement": before}, "after": {"placement": after}}


def planned(moves):
    return [{"instance": move.instance, "name": move.name, "source": move.source, "target": move.target,
             "type": move.type, "status": "planned"} for move in moves]


def execute(module, backend, moves, policy, replan, progress_file=None):
    """Run the moves; the module's result with per-move results, a summary and the progress log.

    Each progress line goes to the module log and, when `progress_file` is given, is appended
    to it as it happens.
    """
    log = ProgressLog(module.log, progress_file)
    results = Executor(backend, policy, replan=replan, on_event=log).run(moves)
    summary = summarise(results)
    failed = [result for result in results if result.status == "failed"]
    outcome = {
        "changed": any(result.status != "skipped" for result in results),
        "results": [result.to_dict() for result in results],
        "summary": summary,
        "progress_log": log.lines,
    }
    if failed:
        outcome["failed"] = True
        outcome["msg"] = "%d of %d moves failed: %s" % (len(failed), len(results), "; ".join(
            "%s: %s (%s)" % (result.name or result.instance, result.failure.code, result.failure.message)
            for result in failed))
    return outcome, results


def resolve_target(backend, params):
    """The named target host, or None; never the host being emptied."""
    target = backend.resolve_host(params["target"], "target") if params["target"] else None
    if params.get("host") and target and target == backend.resolve_host(params["host"]):
        raise InputError("target", "is the host being emptied (%s)" % target)
    return target


def live_migrate(module):
    """nova_live_migrate."""
    params = module.params
    check_run_options(params)
    backend = NovaBackend(module.conn)
    servers = select_servers(backend, params)
    target = resolve_target(backend, params)
    moving = [server for server in servers if server.compute_host != target]
    if not moving:
        return {"changed": False, "results": [], "summary": summarise([]),
                "msg": "nothing to move: every server is already on %s" % target if target else "no servers to move"}
    if target:
        blocked = blocked_targets(module.conn, moving, target, LIVE)
        if blocked:
            raise TargetUnavailable(target, blocked)
    options = {"block_migration": _BLOCK_MIGRATION[params["block_migration"]]}
    moves = [to_move(server, LIVE, target, options) for server in moving]
    diff = placement_diff(moving, moves)
    if module.check_mode:
        return {"changed": True, "results": planned(moves), "summary": {"total": len(moves)}, "diff": diff}
    policy = policy_from(params, params["stall_timeout"], params["on_stall"])
    replan = replanner(module.conn, LIVE) if target is None and params["max_attempts"] > 1 else None
    outcome, results = execute(module, backend, moves, policy, replan)
    outcome["diff"] = placement_diff(moving, moves, results)
    return outcome


def why_evacuation_is_safe(service, fencing_confirmed):
    """Why rebuilding the guests of `service`'s host elsewhere cannot start a second copy, or InputError."""
    if service.state == "down" and service.is_forced_down:
        return "the nova-compute service on %s is down and forced down: Nova will not run its guests there" % service.host
    if fencing_confirmed:
        return ("fencing_confirmed=true: the operator confirmed %s is powered off or fenced (service state %s, "
                "forced_down %s)" % (service.host, service.state, service.is_forced_down))
    raise InputError("fencing_confirmed", (
        "refusing to evacuate %s: its compute service is %s and %sforced down, so its guests may still run and "
        "evacuating would start a second copy on shared storage. Power it off (or fence it), set forced_down "
        "(vmops.migration.nova_compute_service), or confirm fencing with fencing_confirmed=true"
        % (service.host, service.state, "" if service.is_forced_down else "not ")))


def cold_migrate(module):
    """nova_cold_migrate: move servers, or confirm / revert the cold migrations waiting in VERIFY_RESIZE.

    A waiting migration is settled by adopting it in the executor, like a live migration already in
    flight: with `confirm` it is confirmed (never moved again), with `revert` it goes back.
    """
    params = module.params
    check_run_options(params)
    if params["revert"] and params["target"]:
        raise InputError("target", "cannot be combined with revert=true: a revert goes back to the source host")
    backend = NovaBackend(module.conn)
    servers = select_servers(backend, params)
    waiting = [server for server in servers if server.status == "VERIFY_RESIZE"]
    if params["revert"]:
        moving, moves = waiting, settle_moves(backend, waiting, revert=True)
    else:
        target = resolve_target(backend, params)
        moving = [server for server in servers if server.status != "VERIFY_RESIZE" and server.compute_host != target]
        if moving and target:
            blocked = blocked_targets(module.conn, moving, target, COLD)
            if blocked:
                raise TargetUnavailable(target, blocked)
        moves = [to_move(server, COLD, target, {"confirm": params["confirm"]}) for server in moving]
        if params["confirm"]:
            moving, moves = moving + waiting, moves + settle_moves(backend, waiting, revert=False)
    if not moves:
        return {"changed": False, "results": [], "summary": summarise([]), "msg": _nothing_to_do(params, waiting)}
    if module.check_mode:
        return {"changed": True, "results": planned(moves), "summary": {"total": len(moves)},
                "diff": placement_diff(moving, moves)}
    replan = replanner(module.conn, COLD) if not params["target"] and params["max_attempts"] > 1 else None
    outcome, results = execute(module, backend, moves, policy_from(params), replan)
    outcome["diff"] = placement_diff(moving, moves, results)
    return outcome


def settle_moves(backend, waiting, revert):
    """Moves that confirm (the server stays) or revert (it goes back to its source) waiting cold migrations."""
    moves = []
    for server in waiting:
        record = backend.waiting_resize(server.id)
        if record is None:
            continue  # settled by someone else since it was listed
        ends_on = record.source_compute if revert else server.compute_host
        moves.append(to_move(server, COLD, ends_on, {"confirm": not revert, "revert": revert, "adopt_only": True}))
    return moves


def _nothing_to_do(params, waiting):
    if params["revert"]:
        return "nothing to revert: no server waits in VERIFY_RESIZE"
    if waiting:
        return "nothing to move; %d server(s) wait in VERIFY_RESIZE (confirm=false leaves them)" % len(waiting)
    return "nothing to move: every server is already on %s" % params["target"] if params["target"] else "no servers to move"


def evacuate(module):
    """nova_evacuate: rebuild the servers of a dead host elsewhere, each once, HA-enabled ones first."""
    params = dict(module.params, max_per_source=0)
    check_run_options(params)
    backend = NovaBackend(module.conn)
    services = backend.compute_services()
    source = hostnames.resolve([params["host"]], services, "host")[0]
    safety = why_evacuation_is_safe(services[source], params["fencing_confirmed"])
    target = resolve_target(backend, params)
    servers, in_flight, already = _evacuation_candidates(backend, source, params["servers"])
    base = {"safety": safety, "already_evacuated": [server.name or server.id for server in already]}
    if not servers:
        return dict(base, changed=False, results=[], summary=summarise([]), identity=[],
                    msg="no servers left to evacuate on %s" % source)
    if target:
        # Whether the source is dead enough was decided above, fencing_confirmed included.
        blocked = [reason for reason in blocked_targets(module.conn, [s for s in servers if s.id not in in_flight],
                                                        target, EVACUATE)
                   if reason["code"] != "EVACUATE_SOURCE_ALIVE"]
        if blocked:
            raise TargetUnavailable(target, blocked)
    moves = [replace(to_move(server, EVACUATE, target, {"was_active": server.vm_state == "active"}), source=source)
             for server in servers]
    if module.check_mode:
        return dict(base, changed=True, results=planned(moves), summary={"total": len(moves)}, identity=[],
                    diff=placement_diff(servers, moves))
    replan = replanner(module.conn, EVACUATE) if target is None and params["max_attempts"] > 1 else None
    outcome, results = execute(module, backend, moves, policy_from(params), replan)
    outcome.update(base, diff=placement_diff(servers, moves, results))
    outcome["identity"] = [identity_after(identity(server), backend.server(result.instance), result.target)
                           for server, result in zip(servers, results) if result.succeeded]
    altered = [entry["id"] for entry in outcome["identity"] if not entry["unchanged"]]
    if altered:
        outcome["failed"] = True
        outcome["msg"] = "; ".join(filter(None, [outcome.get("msg"), "evacuation changed the identity (name or "
                                                 "addresses) of %s" % ", ".join(altered)]))
    return outcome


def _evacuation_candidates(backend, source, wanted):
    """(servers to evacuate, ids whose evacuation is under way, servers already evacuated).

    Servers are those Nova shows on `source` plus those whose evacuation from it is under way
    (adopted, never started twice), or only the `wanted` ones. A wanted server elsewhere that was
    evacuated from `source` is already done; any other is an error naming `servers`.
    """
    records = backend.evacuations_from(source)
    in_flight = {record.server_id for record in records if backend.state(EVACUATE, record.status) == IN_PROGRESS}
    evacuated = {record.server_id for record in records if backend.state(EVACUATE, record.status) == COMPLETED}
    if wanted:
        candidates = backend.find_servers(wanted)
    else:
        candidates = backend.servers_on(source)
        listed = {server.id for server in candidates}
        candidates += [backend.server(server_id) for server_id in sorted(in_flight - listed)]
    servers, already, strangers = sort_evacuation_candidates(candidates, source, in_flight, evacuated)
    if strangers:
        raise InputError("servers", "not on %s and never evacuated from it: %s" % (
            source, ", ".join("%s (on %s)" % (server.name or server.id, server.compute_host) for server in strangers)))
    return ha_enabled_first(servers), in_flight, already


def sort_evacuation_candidates(candidates, source, in_flight, evacuated):
    """(to evacuate, already evacuated, strangers): on `source` or under way, evacuated from it, neither."""
    servers, already, strangers = [], [], []
    for server in candidates:
        if server.compute_host == source or server.id in in_flight:
            servers.append(server)
        elif server.id in evacuated:
            already.append(server)
        else:
            strangers.append(server)
    return servers, already, strangers


def ha_enabled_first(servers):
    """Servers marked for instance HA (metadata HA_Enabled true, as Masakari reads it) first, order kept otherwise."""
    return sorted(servers, key=lambda server: not is_ha_enabled(server.metadata))


def is_ha_enabled(metadata):
    return str((metadata or {}).get(HA_METADATA_KEY, "")).strip().lower() in _TRUE_WORDS


def identity(server):
    """What evacuation must keep: the UUID, the name and the addresses (network -> sorted addresses)."""
    addresses = {network: sorted(entry["addr"] for entry in entries) for network, entries in (server.addresses or {}).items()}
    return {"id": server.id, "name": server.name, "addresses": addresses}


def identity_after(before, server_after, host):
    """The server's identity after its move, its new host, and whether it is the same as `before`."""
    after = identity(server_after)
    return dict(after, host=host, unchanged=after == before)
