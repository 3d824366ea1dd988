# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Words for people: reasons and plans as short text (filters, scripts and reports share it)."""

from __future__ import annotations

import datetime


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
        who = "%s (%s)" % (entry["name"], entry["instance"]) if entry.get("name") else entry["instance"]
        lines.append("  cannot move %s from %s:" % (who, entry.get("source", "?")))
        lines.extend("    " + explain_reason(reason) for reason in entry["reasons"] if reason["severity"] == "block")
    unresolved = plan.get("metrics", {}).get("unresolved_hosts")
    if unresolved:
        lines.append("  still over threshold: %s" % ", ".join(unresolved))
    skipped = skipped_checks(plan)
    if skipped:
        lines.append("  checks skipped (HOST_FACTS_MISSING):")
        lines.extend("    " + text for text in skipped)
    return "\n".join(lines)


def skipped_checks(plan):
    """The host-level checks HOST_FACTS_MISSING says were skipped, each once, across moves and blocked entries.

    Its messages read '<instance> to <target>: <codes> unchecked: <why>[; ...]'; what follows the
    instance and target is the same for many instances.
    """
    reasons = [reason for move in plan["moves"] for reason in move.get("warnings", [])]
    reasons += [reason for entry in plan["blocked"] for reason in entry.get("reasons", [])]
    texts = []
    for reason in reasons:
        if reason["code"] == "HOST_FACTS_MISSING":
            for part in reason["message"].split(": ", 1)[-1].split("; "):
                if part not in texts:
                    texts.append(part)
    return sorted(texts)


def run_report(plan, results=(), run_id=None, started_at=None, finished_at=None, elapsed_s=None, findings=()):
    """The JSON report of a run: each planned move with what happened to it, and totals.

    `findings` are reasons found after the moves (NUMA_TOPOLOGY_DIFFERS from the post-move placement
    check), each with its `instance`; their codes join the move's reason codes.

    `started_at` and `finished_at` are ISO 8601 times; the elapsed time is derived from them
    unless given.
    """
    if elapsed_s is None and started_at and finished_at:
        elapsed_s = round((datetime.datetime.fromisoformat(finished_at) - datetime.datetime.fromisoformat(started_at)).total_seconds(), 3)
    outcome = {result["instance"]: result for result in results or ()}
    found = {}
    for finding in findings or ():
        found.setdefault(finding["instance"], set()).add(finding["code"])
    moves = []
    for move in plan["moves"]:
        result = outcome.get(move["instance"], {})
        failure = result.get("failure") or {}
        moves.append({
            "instance": move["instance"], "name": move.get("name"), "source": move["source"],
            "planned_target": move["target"], "target": result.get("target", move["target"]), "type": move["type"],
            "wave": move.get("wave"), "estimated_seconds": move.get("estimated_seconds"),
            "started_at": result.get("started_at"), "seconds": result.get("seconds"),
            "bytes": result.get("bytes_transferred", 0), "result": result.get("status", "not run"),
            "attempts": result.get("attempts", 0), "migration_id": result.get("migration_id"),
            "reason_codes": sorted({w["code"] for w in move.get("warnings", [])} | ({failure["code"]} if failure else set())
                                   | found.get(move["instance"], set())),
            "failure": failure or None,
        })
    by_result = {}
    for move in moves:
        by_result[move["result"]] = by_result.get(move["result"], 0) + 1
    return {
        "version": 1, "workflow": plan["workflow"], "run_id": run_id, "started_at": started_at,
        "finished_at": finished_at, "feasible": plan.get("feasible"),
        "totals": {
            "moves": len(moves), "by_result": by_result, "blocked": len(plan["blocked"]),
            "bytes": sum(move["bytes"] for move in moves), "elapsed_seconds": elapsed_s,
            "estimated_makespan_seconds": plan.get("estimated_makespan_seconds"),
            "lower_bound_seconds": plan.get("lower_bound_seconds"),
        },
        "moves": moves, "blocked": plan["blocked"], "metrics": plan.get("metrics", {}),
        "skipped_checks": skipped_checks(plan),
        "after_the_moves": list(findings or ()),
    }


def markdown_report(report):
    """The same report as Markdown, for people."""
    totals = report["totals"]
    lines = ["# %s report%s" % (report["workflow"].capitalize(), " (run %s)" % report["run_id"] if report.get("run_id") else ""), ""]
    if report.get("started_at"):
        lines.append("Started %s, finished %s." % (report["started_at"], report.get("finished_at") or "-"))
        lines.append("")
    results = ", ".join("%d %s" % (count, name) for name, count in sorted(totals["by_result"].items())) or "none"
    lines += [
        "| moves | results | blocked | GiB moved | elapsed s | estimated s | lower bound s |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        "| %d | %s | %d | %.1f | %s | %s | %s |" % (
            totals["moves"], results, totals["blocked"], totals["bytes"] / 1024.0 ** 3, _number(totals["elapsed_seconds"]),
            _number(totals["estimated_makespan_seconds"]), _number(totals["lower_bound_seconds"])),
        "", "## Moves", "",
        "| server | source | target | type | start | seconds | GiB | result | reason codes |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for move in report["moves"]:
        lines.append("| %s | %s | %s | %s | %s | %s | %.2f | %s | %s |" % (
            move.get("name") or move["instance"], move["source"], move.get("target") or "-", move["type"],
            move.get("started_at") or "-", _number(move.get("seconds")), move["bytes"] / 1024.0 ** 3, move["result"],
            ", ".join(move["reason_codes"]) or "-"))
    if report["blocked"]:
        lines += ["", "## Blocked", "", "| server | source | reasons |", "| --- | --- | --- |"]
        for entry in report["blocked"]:
            reasons = "<br>".join("%s: %s" % (r["code"], r["message"].replace("|", "/")) for r in entry["reasons"])
            lines.append("| %s | %s | %s |" % (entry["instance"], entry.get("source", "-"), reasons))
    if report.get("after_the_moves"):
        lines += ["", "## Found after the moves", ""]
        lines += ["- %s (%s): %s" % (finding["code"], finding["severity"], finding["message"]) for finding in report["after_the_moves"]]
    if report.get("skipped_checks"):
        lines += ["", "## Checks skipped (HOST_FACTS_MISSING)", ""] + ["- " + text for text in report["skipped_checks"]]
    return "\n".join(lines) + "\n"


def _number(value):
    return "-" if value is None else "%.1f" % value
