"""An ``ansible-playbook`` run of the collection's playbooks against a Nova twin, as an operator starts
it (``scripts/demo.sh``), that a test can watch line by line and SIGKILL as a whole process group.

The kill points are events, not sleeps: a line of the playbook's output (a task starting), an
event in the progress file the moving modules append to, or a state of the twin.
"""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time

from twin.nova import launcher

ROOT = launcher.ROOT


@contextlib.contextmanager
def run_files(prefix):
    """{"reports": a report folder, "progress": a progress file path} for the runs of a test module."""
    folder = tempfile.mkdtemp(prefix=prefix)
    try:
        yield {"reports": os.path.join(folder, "reports"), "progress": os.path.join(folder, "progress.jsonl")}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class PlaybookRun:
    """``ansible-playbook playbooks/<name> -e vmops_cloud=<twin> <extra vars>``, started at once."""

    def __init__(self, twin, name, extra_vars, reports, progress_file):
        env = dict(os.environ, OS_CLIENT_CONFIG_FILE=twin.clouds_yaml, VMOPS_REPORT_DIR=reports,
                   VMOPS_PROGRESS_FILE=progress_file, ANSIBLE_CONFIG=os.path.join(ROOT, "playbooks", "ansible.cfg"),
                   ANSIBLE_NOCOLOR="1", PYTHONUNBUFFERED="1")
        command = ["ansible-playbook", os.path.join(ROOT, "playbooks", name), "-e", "vmops_cloud=%s" % twin.cloud]
        for extra in extra_vars:
            command += ["-e", extra if isinstance(extra, str) else json.dumps(extra)]
        self.progress_file = progress_file
        self.progress_offset = os.path.getsize(progress_file) if os.path.exists(progress_file) else 0
        self.lines = []
        # Its own session: the process group holds ansible-playbook, its workers and the modules they run.
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        env=env, cwd=ROOT, start_new_session=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self):
        return "".join(self.lines)

    def progress_events(self):
        """The progress-file events this run wrote so far (complete lines only)."""
        try:
            with open(self.progress_file, encoding="utf-8") as handle:
                handle.seek(self.progress_offset)
                text = handle.read()
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in text.rpartition("\n")[0].split("\n") if line]

    def started_task(self, title):
        """Whether the task whose name contains ``title`` has started (its TASK banner was printed)."""
        return any(line.startswith("TASK [") and title in line for line in self.lines)

    def last_task(self):
        banners = [line.strip() for line in self.lines if line.startswith("TASK [")]
        return banners[-1] if banners else None

    def wait_until(self, condition, what, timeout=300):
        """Wait until ``condition()`` holds; fail naming ``what`` if the run ends or time runs out first."""
        deadline = time.monotonic() + timeout
        while not condition():
            if self.process.poll() is not None:
                self._reader.join(timeout=5)
                if condition():
                    return
                raise AssertionError("the run ended (rc %s) before %s:\n%s" % (self.process.returncode, what, self.output))
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError("no %s within %ss:\n%s" % (what, timeout, self.output))
            time.sleep(0.05)

    def kill(self):
        """SIGKILL the run: ansible-playbook and every process under it, and wait until none is left.

        Killing ansible-playbook's process group is not enough: each worker starts its own session,
        and the module it runs would go on to the end. So the tree is first stopped (SIGSTOP, until
        no new process shows up), then killed at once.
        """
        stopped = set()
        while True:
            fresh = _descendants(self.process.pid) - stopped
            if not fresh:
                break
            for pid in fresh:
                _signal(pid, signal.SIGSTOP)
            stopped |= fresh
        for pid in stopped:
            _signal(pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self._reader.join(timeout=10)
        deadline = time.monotonic() + 30
        while any(_running(pid) for pid in stopped):
            if time.monotonic() > deadline:
                raise AssertionError("processes of the run survived SIGKILL: %s" % sorted(stopped))
            time.sleep(0.05)

    def finish(self, timeout=900):
        """Wait for the run to end by itself; its exit code."""
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise
        self._reader.join(timeout=10)
        return code

    def recap_changed(self):
        return int(self.output.split("changed=")[-1].split()[0])


def _processes():
    """{pid: (state, parent pid)} of every process, from /proc."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry, encoding="utf-8") as handle:
                fields = handle.read().rpartition(")")[2].split()
        except OSError:
            continue  # it ended while we looked
        found[int(entry)] = (fields[0], int(fields[1]))
    return found


def _descendants(root):
    """``root`` and every process under it."""
    children = {}
    for pid, (_state, parent) in _processes().items():
        children.setdefault(parent, []).append(pid)
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        found.add(pid)
        todo.extend(children.get(pid, []))
    return found


def _signal(pid, number):
    try:
        os.kill(pid, number)
    except ProcessLookupError:
        pass


def _running(pid):
    """Whether ``pid`` still runs (a zombie waiting for its reaper does not)."""
    state = _processes().get(pid)
    return state is not None and state[0] != "Z"
