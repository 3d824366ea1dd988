# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Words for people: reasons and plans as short text (filters, scripts and reports share it)."""

from __future__ import annotations


def explain_reason(reason):
    where = " [target %s]" % reason["target"] if reason.get("target") else ""
    return "%s %s%s: %s" % (reason["severity"].upper(), reason["code"], where, reason["message"])


def explain_reasons(reasons):
    return "\n".join(explain_reason(reason) for reason in reasons)


def plan_summary(plan):
    """A few lines: what moves where, what cannot move and why, how long it should take."""
    moves, blocked = plan["moves"], plan["blocked"]
    by_type = {}
    for move in moves:
        by_type[move["type"]] = by_type.get(move["type"], 0) + 1
    kinds = ", ".join("%d %s" % (count, kind) for kind, count in sorted(by_type.items())) or "none"
    lines = ["%s plan: %d moves (%s), %d blocked, %s; estimated %.0f s (lower bound %.0f s)" % (
        plan["workflow"], len(moves), kinds, len(blocked), "feasible" if plan.get("feasible") else "NOT feasible",
        plan.get("estimated_makespan_seconds", 0), plan.get("lower_bound_seconds", 0))]
    for entry in blocked:
        codes = ", ".join(sorted({reason["code"] for reason in entry["reasons"]}))
        lines.append("  blocked %s on %s: %s" % (entry["instance"], entry.get("source", "?"), codes))
    unresolved = plan.get("metrics", {}).get("unresolved_hosts")
    if unresolved:
        lines.append("  still over threshold: %s" % ", ".join(unresolved))
    return "\n".join(lines)
