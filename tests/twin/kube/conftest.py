"""Fixtures for the kube twin's own tests: the session twin, reset before each test."""
import time

import pytest
from kubernetes import client

NS = "default"
GROUP, VERSION = "kubevirt.io", "v1"
VMIMS = "virtualmachineinstancemigrations"
VMIS = "virtualmachineinstances"


@pytest.fixture
def twin(kube_twin):
    """The twin with its fleet reloaded, so each test starts from the same cluster."""
    kube_twin.reset()
    return kube_twin


@pytest.fixture
def admin(twin):
    return twin.api_client()


@pytest.fixture
def core(admin):
    return client.CoreV1Api(admin)


@pytest.fixture
def custom(admin):
    return client.CustomObjectsApi(admin)


def wait_for(predicate, timeout=20.0, interval=0.02):
    """Poll until predicate() returns something truthy; return it."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {predicate}")
        time.sleep(interval)


def migrate(custom, vmi, namespace=NS, **spec):
    body = {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstanceMigration",
            "metadata": {"generateName": f"{vmi}-"}, "spec": dict(spec, vmiName=vmi)}
    return custom.create_namespaced_custom_object(GROUP, VERSION, namespace, VMIMS, body)


def get_vmim(custom, name, namespace=NS):
    return custom.get_namespaced_custom_object(GROUP, VERSION, namespace, VMIMS, name)


def get_vmi(custom, name, namespace=NS):
    return custom.get_namespaced_custom_object(GROUP, VERSION, namespace, VMIS, name)


def wait_phase(custom, name, phases, timeout=20.0, namespace=NS):
    phases = (phases,) if isinstance(phases, str) else phases
    return wait_for(lambda: (lambda m: m if m.get("status", {}).get("phase") in phases else None)(
        get_vmim(custom, name, namespace)), timeout)
