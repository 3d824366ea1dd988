"""Runs a collection module the way Ansible does, as a Python process with its arguments on stdin."""
import contextlib
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
COLLECTIONS = os.path.join(ROOT, ".cache", "collections")


def run_module(name, twin, check_mode=False, diff=False, process_timeout=120, **args):
    """The module's JSON result; `failed` is set when it failed. `process_timeout` bounds the process, in seconds."""
    with started_module(name, twin, check_mode, diff, **args) as process:
        return module_result(name, process, process_timeout)


@contextlib.contextmanager
def started_module(name, twin, check_mode=False, diff=False, **args):
    """The module's process, running while the caller does other things; killed on exit if still running."""
    payload = {"ANSIBLE_MODULE_ARGS": dict(args, cloud=twin.cloud, _ansible_check_mode=check_mode, _ansible_diff=diff)}
    env = dict(os.environ, PYTHONPATH=COLLECTIONS, OS_CLIENT_CONFIG_FILE=twin.clouds_yaml)
    with tempfile.TemporaryFile("w+", encoding="utf-8") as arguments:  # a file: the module reads its stdin to the end
        json.dump(payload, arguments)
        arguments.seek(0)
        process = subprocess.Popen([sys.executable, "-m", "ansible_collections.vmops.migration.plugins.modules." + name],
                                   stdin=arguments, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


def module_result(name, process, timeout):
    """The JSON result of a module process from started_module, waiting at most `timeout` seconds for it."""
    stdout, stderr = process.communicate(timeout=timeout)
    try:
        return json.loads(stdout)
    except ValueError:
        raise AssertionError("%s printed no JSON (rc %s): %s %s" % (name, process.returncode, stdout, stderr))
