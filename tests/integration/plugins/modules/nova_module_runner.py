"""Runs a collection module the way Ansible does, as a Python process with its arguments on stdin."""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
COLLECTIONS = os.path.join(ROOT, ".cache", "collections")


def run_module(name, twin, check_mode=False, diff=False, process_timeout=120, **args):
    """The module's JSON result; `failed` is set when it failed. `process_timeout` bounds the process, in seconds."""
    payload = {"ANSIBLE_MODULE_ARGS": dict(args, cloud=twin.cloud, _ansible_check_mode=check_mode, _ansible_diff=diff)}
    env = dict(os.environ, PYTHONPATH=COLLECTIONS, OS_CLIENT_CONFIG_FILE=twin.clouds_yaml)
    done = subprocess.run([sys.executable, "-m", "ansible_collections.vmops.migration.plugins.modules." + name],
                          input=json.dumps(payload), capture_output=True, text=True, env=env, timeout=process_timeout, check=False)
    try:
        return json.loads(done.stdout)
    except ValueError:
        raise AssertionError("%s printed no JSON (rc %s): %s %s" % (name, done.returncode, done.stdout, done.stderr))
