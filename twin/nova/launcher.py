"""Start a twin in the background and wait until it is ready; stop one by its state dir.

Stdlib only: the test fixture imports this from the dev venv, where Nova is not installed.
"""
import json
import os
import signal
import subprocess
import sys
import time

READY_FILE = "twin.json"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def ready_info(state_dir):
    try:
        with open(os.path.join(state_dir, READY_FILE), encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return None


def start(state_dir, up_args=(), python=None, timeout=300):
    """Run ``python -m twin.nova up`` detached; return its ready info once it serves."""
    state_dir = os.path.abspath(state_dir)
    os.makedirs(state_dir, exist_ok=True)
    ready_path = os.path.join(state_dir, READY_FILE)
    if os.path.exists(ready_path):
        raise RuntimeError("a twin already uses %s (pid %s)" % (state_dir, ready_info(state_dir)["pid"]))
    log = open(os.path.join(state_dir, "twin.out"), "ab")
    cmd = [python or sys.executable, "-m", "twin.nova", "up", "--state-dir", state_dir, *up_args]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")])))
    child = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True)
    log.close()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = ready_info(state_dir)
        if info and info.get("pid") == child.pid:
            return info
        if child.poll() is not None:
            raise RuntimeError("twin exited with %s; see %s/twin.out" % (child.returncode, state_dir))
        time.sleep(0.1)
    child.terminate()
    raise RuntimeError("twin not ready after %ss; see %s/twin.out" % (timeout, state_dir))


def stop(state_dir, timeout=30):
    """SIGTERM the twin serving ``state_dir``; True if one was running."""
    info = ready_info(state_dir)
    if not info:
        return False
    pid = info["pid"]
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        os.remove(os.path.join(state_dir, READY_FILE))
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.1)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
    return True


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A child of ours that exited stays a zombie until reaped.
    try:
        return os.waitpid(pid, os.WNOHANG) == (0, 0)
    except ChildProcessError:
        return True
