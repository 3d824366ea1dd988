"""Watch: initial state, change stream, resume from a resourceVersion, timeout, 410 Gone."""
import threading

import pytest
from kubernetes import watch
from kubernetes.client.rest import ApiException

from .conftest import NS


def pvc(name):
    return {"metadata": {"name": name, "labels": {"w": "1"}},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}


def test_watch_lists_then_streams_changes(core):
    seen, listed = [], threading.Event()

    def watch_it():
        for event in watch.Watch().stream(core.list_namespaced_persistent_volume_claim, NS,
                                          label_selector="w=1", timeout_seconds=3):
            seen.append((event["type"], event["object"].metadata.name))
            listed.set()
            if event["type"] == "DELETED":
                return

    core.create_namespaced_persistent_volume_claim(NS, pvc("w-before"))
    thread = threading.Thread(target=watch_it)
    thread.start()
    assert listed.wait(5)
    core.create_namespaced_persistent_volume_claim(NS, pvc("w-after"))
    core.patch_namespaced_persistent_volume_claim("w-after", NS, {"metadata": {"labels": {"x": "y"}}})
    core.delete_namespaced_persistent_volume_claim("w-after", NS)
    thread.join(10)
    assert seen[0] == ("ADDED", "w-before")
    assert seen[1:] == [("ADDED", "w-after"), ("MODIFIED", "w-after"), ("DELETED", "w-after")]


def test_watch_resumes_from_resource_version_and_times_out(core):
    start = core.list_namespaced_persistent_volume_claim(NS).metadata.resource_version
    core.create_namespaced_persistent_volume_claim(NS, pvc("r-1"))
    core.create_namespaced_persistent_volume_claim(NS, pvc("r-2"))
    stream = watch.Watch().stream(core.list_namespaced_persistent_volume_claim, NS,
                                  resource_version=start, timeout_seconds=1)
    names = [(e["type"], e["object"].metadata.name) for e in stream]  # ends by timeout
    assert names == [("ADDED", "r-1"), ("ADDED", "r-2")]


def test_label_change_leaving_the_selector_is_a_delete(core):
    start = core.list_namespaced_persistent_volume_claim(NS).metadata.resource_version
    core.create_namespaced_persistent_volume_claim(NS, pvc("leaver"))
    core.patch_namespaced_persistent_volume_claim("leaver", NS, {"metadata": {"labels": {"w": "2"}}})
    stream = watch.Watch().stream(core.list_namespaced_persistent_volume_claim, NS,
                                  label_selector="w=1", resource_version=start, timeout_seconds=1)
    assert [e["type"] for e in stream] == ["ADDED", "DELETED"]


def test_too_old_resource_version_is_gone(core, twin):
    old = core.list_namespaced_persistent_volume_claim(NS).metadata.resource_version
    twin.reset()  # compacts the event history past `old`
    with pytest.raises(ApiException) as err:
        for _ in watch.Watch().stream(core.list_namespaced_persistent_volume_claim, NS,
                                      resource_version=old, timeout_seconds=2):
            pass
    assert err.value.status == 410
