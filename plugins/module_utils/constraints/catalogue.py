# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ordered list of enabled rules and the functions that run them over a move.

Adding a rule: write its class in the module for its theme, list it in that module's RULES.
"""

from __future__ import annotations

from ansible_collections.vmops.migration.plugins.module_utils.constraints import (
    capacity_rules, convergence, cpu, devices, host_facts, kubevirt, numa, placement, state,
)
from ansible_collections.vmops.migration.plugins.module_utils.constraints.base import BLOCK

RULE_MODULES = (state, placement, cpu, capacity_rules, numa, devices, convergence, host_facts, kubevirt)
RULES = tuple(rule() for module in RULE_MODULES for rule in module.RULES)


def _run(ctx, per_target, rules):
    reasons = []
    for rule in rules:
        if rule.per_target == per_target and rule.applies(ctx):
            reasons.extend(rule.check(ctx))
    return reasons


def instance_reasons(ctx, rules=RULES):
    """Reasons that depend only on the instance and its source (ctx.target is ignored)."""
    return _run(ctx, False, rules)


def target_reasons(ctx, rules=RULES):
    """Reasons about moving ctx.instance to ctx.target."""
    return _run(ctx, True, rules)


def check_move(ctx, rules=RULES):
    """Every reason for the move, instance-level first: never only the first one found."""
    return instance_reasons(ctx, rules) + target_reasons(ctx, rules)


def is_blocked(reasons):
    return any(reason.severity == BLOCK for reason in reasons)


def codes():
    """Every reason code the enabled rules can return."""
    return sorted({rule.code for rule in RULES} | {code for rule in RULES for code in getattr(rule, "extra_codes", ())})
