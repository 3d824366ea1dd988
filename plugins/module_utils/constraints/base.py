# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every constraint rule shares: the reason it returns, the context it reads, its base class.

A rule is one small class (like a Nova scheduler filter): it reads a `MoveContext` and returns
zero or more `Reason`s. Rules never raise for a failed check and never change the context.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BLOCK = "block"
WARN = "warn"
INFO = "info"
SEVERITIES = (BLOCK, WARN, INFO)

LIVE = "live"
COLD = "cold"
EVACUATE = "evacuate"
MOVE_TYPES = (LIVE, COLD, EVACUATE)


@dataclass(frozen=True)
class Reason:
    code: str
    severity: str
    message: str
    target: str | None = None

    def to_dict(self):
        return {"code": self.code, "severity": self.severity, "message": self.message, "target": self.target}


@dataclass
class MoveContext:
    """One candidate move: `instance` from `source` to `target` (None when no target is judged).

    `capacity` and `placement` describe the cluster after the moves planned so far, so a rule
    sees what earlier choices consumed. `placement` maps instance id to host name.
    """

    snapshot: object
    instance: object
    source: object
    target: object = None
    move_type: str = LIVE
    capacity: object = None
    placement: dict = field(default_factory=dict)

    @property
    def settings(self):
        return self.snapshot.settings


class Rule:
    """Base class: set `code`, `severity` and the scope attributes, implement `check`."""

    code = None
    severity = BLOCK
    platforms = ("nova",)
    move_types = (LIVE,)
    # False: the rule depends only on the instance and its source, so it runs once per instance.
    per_target = True

    def applies(self, ctx):
        if ctx.snapshot.platform not in self.platforms or ctx.move_type not in self.move_types:
            return False
        return ctx.target is not None or not self.per_target

    def check(self, ctx):
        """Return a list of Reasons (empty when the move passes this rule)."""
        raise NotImplementedError

    def reason(self, ctx, message, severity=None, code=None):
        target = ctx.target.name if ctx.target is not None and self.per_target else None
        return Reason(code or self.code, severity or self.severity, message, target)
