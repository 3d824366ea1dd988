# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What nova_apply_plan does below its main(): carry out a plan made by the planner.

The applier in Watcher's strategy -> plan -> apply: it trusts the plan's targets and order,
re-checks what changed since the plan was made (a server already on its target is done, one
that moved elsewhere is skipped as a race), and runs every move, live, cold and evacuate, in one
executor run within the plan's limits. Failed moves may be re-planned onto another host.
"""

from __future__ import annotations

from dataclasses import replace

from ansible_collections.vmops.migration.plugins.module_utils import nova_moves
from ansible_collections.vmops.migration.plugins.module_utils.constraints.base import COLD, EVACUATE, LIVE
from ansible_collections.vmops.migration.plugins.module_utils.errors import InputError
from ansible_collections.vmops.migration.plugins.module_utils.executor import STALL_POLICIES, TIMEOUT_ACTIONS, summarise
from ansible_collections.vmops.migration.plugins.module_utils.nova_adapter import NovaBackend

ARGUMENT_SPEC = dict(nova_moves.QUEUE_ARGUMENT_SPEC, **{
    "plan": {"type": "dict", "required": True},
    "max_per_source": {"type": "int"},
    "max_per_target": {"type": "int"},
    "max_parallel": {"type": "int"},
    "poll_interval": {"type": "float", "default": 2.0},
    "max_attempts": {"type": "int", "default": 2},
    "stall_timeout": {"type": "float"},
    "on_stall": {"type": "str", "choices": list(STALL_POLICIES), "default": "abort"},
    "move_timeout": {"type": "float"},
    "on_timeout": {"type": "str", "choices": list(TIMEOUT_ACTIONS)},
    "confirm": {"type": "bool", "default": True},
    "fencing_confirmed": {"type": "bool", "default": False},
    "progress_file": {"type": "path"},
})
_MOVE_OPTIONS = {LIVE: lambda params, server: {"block_migration": "auto"},
                 COLD: lambda params, server: {"confirm": params["confirm"]},
                 EVACUATE: lambda params, server: {"was_active": server.status == "ACTIVE"}}


def _check_plan(plan):
    if plan.get("version") != 1 or not isinstance(plan.get("moves"), list):
        raise InputError("plan", "must be a plan (version 1 with a list of moves), as the *_plan filters return")
    for index, move in enumerate(plan["moves"]):
        missing = [key for key in ("instance", "source", "target", "type") if key not in move]
        if missing:
            raise InputError("plan", "moves[%d] lacks %s" % (index, ", ".join(missing)))
        if move["type"] not in _MOVE_OPTIONS:
            raise InputError("plan", "moves[%d].type must be live, cold or evacuate, got %r" % (index, move["type"]))


def _params_with_plan_limits(params, plan):
    """The plan's limits unless the caller overrides them; the run's timeout stays the caller's."""
    limits = plan.get("limits") or {}
    merged = dict(params)
    for option, key in (("max_per_source", "per_source"), ("max_per_target", "per_target"), ("max_parallel", "per_cluster")):
        if merged.get(option) is None:
            merged[option] = limits.get(key, 1 if key == "per_source" else 0)
    return merged


def with_timeout_policy(move, planned, params):
    """The caller's move_timeout / on_timeout, else the plan's (the source's gathered nova.conf), else the executor's."""
    timeout = params.get("move_timeout")
    if timeout is None:
        timeout = planned.get("timeout_seconds")
    return replace(move, timeout_s=timeout, timeout_action=params.get("on_timeout") or planned.get("timeout_action"))


def per_source_hosts(params, plan):
    """Hosts' own per-source limits (their gathered max_concurrent_live_migrations) unless the caller set one for all."""
    if params.get("max_per_source") is not None:
        return {}
    return dict((plan.get("limits") or {}).get("per_source_hosts") or {})


def apply_plan(module):
    """nova_apply_plan."""
    plan = module.params["plan"]
    _check_plan(plan)
    params = _params_with_plan_limits(module.params, plan)
    nova_moves.check_run_options(params)
    backend = NovaBackend(module.conn)
    servers = {server.id: server for server in backend.find_servers([move["instance"] for move in plan["moves"]], "plan")} \
        if plan["moves"] else {}
    moves, done, raced = [], [], []
    for planned in plan["moves"]:
        server = servers[planned["instance"]]
        if server.compute_host == planned["target"]:
            done.append(planned["instance"])
        elif server.compute_host != planned["source"]:
            raced.append({"instance": planned["instance"], "source": planned["source"], "now_on": server.compute_host})
        else:
            options = _MOVE_OPTIONS[planned["type"]](params, server)
            moves.append(with_timeout_policy(nova_moves.to_move(server, planned["type"], planned["target"], options),
                                             planned, params))
    if any(move.type == EVACUATE for move in moves):
        services = backend.compute_services()
        for source in sorted({move.source for move in moves if move.type == EVACUATE}):
            nova_moves.why_evacuation_is_safe(services[source], params["fencing_confirmed"])
    base = {"already_done": done, "skipped_changed_since_plan": raced}
    if not moves:
        return dict(base, changed=False, results=[], summary=summarise([]), msg="nothing to do: the plan is already carried out")
    if module.check_mode:
        return dict(base, changed=True, results=nova_moves.planned(moves), summary={"total": len(moves)})
    policy = replace(nova_moves.policy_from(params, params.get("stall_timeout"), params["on_stall"]),
                     per_source=per_source_hosts(module.params, plan))
    replan = nova_moves.replanner(module.conn, None) if params["max_attempts"] > 1 else None
    outcome, unused_results = nova_moves.execute(module, backend, moves, policy, replan, params.get("progress_file"))
    outcome.update(base)
    return outcome
