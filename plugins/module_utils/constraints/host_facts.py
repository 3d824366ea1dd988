# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""HOST_FACTS_MISSING: say which host-level checks were skipped for this move, and why.

The rules that read host-level facts are the HostFactsRule classes of the cpu and numa
modules; each says whether it matters to the instance and what it lacked.
"""

from __future__ import annotations

from ansible_collections.vmops.migration.plugins.module_utils.constraints import cpu, numa
from ansible_collections.vmops.migration.plugins.module_utils.constraints.base import (
    COLD, EVACUATE, INFO, LIVE, Rule,
)
from ansible_collections.vmops.migration.plugins.module_utils.constraints.common import HostFactsRule

DEPENDENT_RULES = tuple(rule for module in (cpu, numa) for rule in module.RULES if issubclass(rule, HostFactsRule))


class HostFactsMissing(Rule):
    code = "HOST_FACTS_MISSING"
    severity = INFO
    move_types = (LIVE, COLD, EVACUATE)

    def __init__(self):
        super().__init__()
        self.dependents = [rule() for rule in DEPENDENT_RULES]

    def check(self, ctx):
        skipped = {}
        for rule in self.dependents:
            why = rule.unchecked(ctx) if rule.applies(ctx) else None
            if why:
                codes = skipped.setdefault(why, [])
                if rule.code not in codes:
                    codes.append(rule.code)
        if not skipped:
            return []
        parts = ["%s unchecked: %s" % (", ".join(codes), why) for why, codes in skipped.items()]
        return [self.reason(ctx, "%s to %s: %s" % (ctx.instance.label, ctx.target.name, "; ".join(parts)))]


RULES = [HostFactsMissing]
