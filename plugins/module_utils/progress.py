# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Executor events as one line each: moves done / total, bytes, ETA. Modules keep the lines
for their result and send them to the module log (journal/syslog) as they happen."""

from __future__ import annotations

import json

GIB = 1024.0 ** 3
# Progress events come every poll for every move: log only the ones that change the picture.
LOGGED_EVENTS = ("started", "retry", "abort", "force_complete", "finished")


def describe(event):
    """'[3/30] vm-1 (uuid) compute-0 -> compute-2: completed in 1.2s, 2.0 GiB; 1.4 GiB moved, ETA 25s'."""
    totals = event["totals"]
    who = event["name"] or event["instance"]
    if event["name"] and event["name"] != event["instance"]:
        who = "%s (%s)" % (event["name"], event["instance"])
    route = "%s -> %s" % (event["source"], event["target"] or "(scheduler)")
    result = event.get("result")
    kind = event["event"]
    if kind == "finished" and result:
        what = result["status"]
        if result["seconds"] is not None:
            what += " in %.1fs, %.1f GiB" % (result["seconds"], result["bytes_transferred"] / GIB)
        if result["failure"]:
            what += " [%s] %s" % (result["failure"]["code"], result["failure"]["message"])
    elif kind == "retry":
        what = "failed [%s], retrying on %s" % (event["failure"]["code"], event["next_target"])
    elif kind == "started":
        what = "started migration %s (attempt %d)" % (event["migration_id"], event["attempt"])
    else:
        what = "%s requested for migration %s" % (kind.replace("_", "-"), event["migration_id"])
    eta = "" if totals["eta_s"] is None else ", ETA %ds" % totals["eta_s"]
    return "[%d/%d] %s %s: %s; %.1f GiB moved%s" % (
        totals["done"], totals["total"], who, route, what, totals["bytes_transferred"] / GIB, eta)


class ProgressLog:
    """An executor `on_event` callback collecting lines and passing each to `sink` (e.g. module.log).

    With `progress_file`, each line is also appended to that file as JSON (event, line, totals)
    the moment it happens: the vmops.migration.progress callback shows them while the task runs.
    """

    def __init__(self, sink=None, progress_file=None):
        self.lines = []
        self.sink = sink
        self.progress_file = progress_file

    def __call__(self, event):
        if event["event"] not in LOGGED_EVENTS:
            return
        line = describe(event)
        self.lines.append(line)
        if self.sink is not None:
            self.sink(line)
        if self.progress_file:
            with open(self.progress_file, "a", encoding="utf-8") as handle:
                handle.write(json.dumps({"event": event["event"], "line": line, "totals": event["totals"]}) + "\n")
