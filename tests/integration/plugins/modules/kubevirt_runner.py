"""Runs a KubeVirt module the way Ansible does (a Python process, arguments on stdin) against the
kube twin, and small readers of the twin's objects for the assertions."""
import json
import os
import subprocess
import sys

import pytest
from kubernetes import client

from tests.integration.plugins.modules.nova_module_runner import COLLECTIONS

GROUP, VERSION, NS = "kubevirt.io", "v1", "default"
TIME_FACTOR = 50


@pytest.fixture
def twin(kube_twin):
    """The session twin with its fleet reloaded; its time factor restored afterwards."""
    kube_twin.reset()
    yield kube_twin
    kube_twin.set_time_factor(TIME_FACTOR)


@pytest.fixture
def custom(twin):
    return client.CustomObjectsApi(twin.api_client())


def connection(twin, user="admin"):
    """Connection options for one of the twin's users: its kubeconfig context."""
    return {"kubeconfig": twin.kubeconfig, "context": "twin-%s" % user}


def run_module(module, twin, user="admin", check_mode=False, diff=False, via=None, **args):
    """The module's JSON result; `failed` is set when it failed. `via` replaces the connection
    options (the kubeconfig context of `user`), e.g. with host and api_key."""
    payload = {"ANSIBLE_MODULE_ARGS": dict(connection(twin, user) if via is None else via,
                                           _ansible_check_mode=check_mode, _ansible_diff=diff, **args)}
    env = dict(os.environ, PYTHONPATH=COLLECTIONS)
    done = subprocess.run([sys.executable, "-m", "ansible_collections.vmops.migration.plugins.modules." + module],
                          input=json.dumps(payload), capture_output=True, text=True, env=env, timeout=120, check=False)
    try:
        return json.loads(done.stdout)
    except ValueError:
        raise AssertionError("%s printed no JSON (rc %s): %s %s" % (module, done.returncode, done.stdout, done.stderr))


def vmims(custom, namespace=NS):
    return custom.list_namespaced_custom_object(GROUP, VERSION, namespace, "virtualmachineinstancemigrations")["items"]


def node_of(custom, name, namespace=NS):
    vmi = custom.get_namespaced_custom_object(GROUP, VERSION, namespace, "virtualmachineinstances", name)
    return vmi["status"]["nodeName"]


def vmis_on(custom, node):
    return sorted(vmi["metadata"]["name"] for vmi in custom.list_cluster_custom_object(
        GROUP, VERSION, "virtualmachineinstances")["items"] if vmi["status"].get("nodeName") == node)
