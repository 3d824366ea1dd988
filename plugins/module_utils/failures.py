# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Why a move failed: the stable failure codes, what to do next, and which ones a retry on
another target can fix. Standard library only; the adapters map API answers onto these codes."""

from __future__ import annotations

from dataclasses import dataclass

NEXT_STEPS = {
    "DEST_UNAVAILABLE": "The target compute cannot take the guest (down, disabled, unknown or the source itself): "
                        "pick another target or let the scheduler choose.",
    "NO_VALID_HOST": "The scheduler found no host that passes its filters: free capacity, enable a host, "
                     "or check flavor extra specs, aggregates and server group policy.",
    "INSUFFICIENT_RESOURCES": "The target lacks RAM, vCPU, disk or NUMA resources: choose a larger target "
                              "or move other guests off it first.",
    "SERVER_GROUP_CHECK_FAILED": "The move would break the server group's (anti-)affinity policy: choose a "
                                 "target that keeps the policy, or move the group's members together.",
    "INSTANCE_NOT_FOUND": "The server does not exist (deleted, or a wrong id/name): refresh the inventory and rerun.",
    "SOURCE_DELETED": "The server was deleted while it was moving: nothing left to move; check who deleted it.",
    "COMPUTE_SERVICE_DOWN": "A compute service involved is down: bring it back, or evacuate if the source is dead.",
    "MIXED_VERSION": "Source and target run different compute releases: finish the upgrade or pick a target "
                     "at the source's release.",
    "RACE": "The server's state changed under us (another task or migration): wait until it is idle and rerun.",
    "TIMEOUT": "The move did not finish in time and was aborted; the guest stays on its source. Check the dirty "
               "rate and bandwidth, then rerun with a larger timeout or on_stall=force_complete.",
    "STALLED": "The remaining memory stopped shrinking (dirty rate at or above bandwidth): rerun when the guest "
               "is quieter, enable auto-converge/post-copy, or use on_stall=force_complete (brief pause).",
    "ABORTED": "The migration was cancelled outside this run (operator or hypervisor timeout action); the guest "
               "stays on its source. Rerun to try again.",
    "UNKNOWN": "The hypervisor reported an error: read the server's instance actions and the compute logs, "
               "then rerun; the guest stays on its source.",
}
CODES = tuple(NEXT_STEPS)

# A different target may succeed where these failed; the others are about the guest or the run.
RETRYABLE = frozenset(("DEST_UNAVAILABLE", "NO_VALID_HOST", "INSUFFICIENT_RESOURCES", "SERVER_GROUP_CHECK_FAILED",
                       "COMPUTE_SERVICE_DOWN", "MIXED_VERSION", "UNKNOWN"))


@dataclass(frozen=True)
class Failure:
    code: str
    message: str

    def __post_init__(self):
        if self.code not in NEXT_STEPS:
            raise ValueError("unknown failure code %r" % (self.code,))

    @property
    def next_step(self):
        return NEXT_STEPS[self.code]

    @property
    def retryable(self):
        return self.code in RETRYABLE

    def to_dict(self):
        return {"code": self.code, "message": self.message, "next_step": self.next_step}
