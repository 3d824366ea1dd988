# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: progress
type: notification
short_description: Show migration progress while a long vmops.migration task runs
version_added: 0.1.0
author: vmops.migration developers (@vmops)
description:
  - Moving modules (for example M(vmops.migration.nova_apply_plan)) append one line per event
    (move started, finished, retried or aborted, with moves done / total, bytes and ETA) to a progress file
    while they run. Ansible shows a task's output only when it ends; this callback prints those
    lines as they are written, so a drain of many servers is not silent for minutes.
  - Each finished move prints moves done / total, moves running, GiB moved and the ETA; with C(-v)
    every event (start, retry, abort, end) prints its own line with the server and its route.
requirements:
  - enable in C(ansible.cfg) (C(callbacks_enabled = vmops.migration.progress)) and set the progress file
options:
  progress_file:
    description: File the modules write progress lines to (pass the same path as their C(progress_file)).
    type: path
    env:
      - name: VMOPS_PROGRESS_FILE
    ini:
      - section: vmops
        key: progress_file
  interval:
    description: Seconds between two looks at the file.
    type: float
    default: 1.0
    env:
      - name: VMOPS_PROGRESS_INTERVAL
"""

import json
import os
import threading

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "vmops.migration.progress"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self._stop = threading.Event()
        self._thread = None
        self._offset = 0

    def set_options(self, task_keys=None, var_options=None, direct=None):
        super().set_options(task_keys=task_keys, var_options=var_options, direct=direct)
        path = self.get_option("progress_file")
        if path and os.path.exists(path):
            self._offset = os.path.getsize(path)  # only what this run writes

    def v2_playbook_on_start(self, playbook):
        if self.get_option("progress_file") and self._thread is None:
            self._thread = threading.Thread(target=self._follow, name="vmops-progress", daemon=True)
            self._thread.start()

    def v2_playbook_on_stats(self, stats):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._print_new_lines()

    def _follow(self):
        while not self._stop.wait(self.get_option("interval")):
            self._print_new_lines()

    def _print_new_lines(self):
        path = self.get_option("progress_file")
        if not path:
            return
        try:
            with open(path, "r") as handle:
                handle.seek(self._offset)
                text = handle.read()
        except OSError:
            return
        complete = text.rpartition("\n")[0]
        if not complete:
            return
        self._offset += len(complete.encode("utf-8")) + 1
        for line in complete.split("\n"):
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if self._display.verbosity > 0:
                self._display.display("vmops: %s" % event["line"])
            elif event["event"] == "finished":
                self._display.display("vmops: %s" % summary(event["totals"]))


def summary(totals):
    """'12/40 moves done, 3 running, 48.2 GiB moved, ETA 2m10s'."""
    eta = totals.get("eta_s")
    eta_text = "" if eta is None else ", ETA %dm%02ds" % divmod(int(eta), 60)
    return "%d/%d moves done, %d running, %.1f GiB moved%s" % (
        totals["done"], totals["total"], totals.get("running", 0), totals.get("bytes_transferred", 0) / 1024.0 ** 3, eta_text)
