"""Node drain: evicting a virt-launcher pod starts an evacuation migration instead (429)."""
import json

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from .conftest import GROUP, NS, VERSION, VMIMS, VMIS, get_vmi, wait_for, wait_phase


def launcher(core, vmi):
    return core.list_namespaced_pod(NS, label_selector=f"vm.kubevirt.io/name={vmi}").items[0]


def evict(core, pod):
    body = client.V1Eviction(metadata=client.V1ObjectMeta(name=pod.metadata.name, namespace=NS))
    return core.create_namespaced_pod_eviction(pod.metadata.name, NS, body)


def test_live_migrate_strategy_evacuates(core, custom):
    with pytest.raises(ApiException) as err:
        evict(core, launcher(core, "vm-01-01"))
    assert err.value.status == 429
    assert "Eviction triggered evacuation" in json.loads(err.value.body)["message"]
    assert get_vmi(custom, "vm-01-01")["status"]["evacuationNodeName"] == "node-01"
    migrations = custom.list_namespaced_custom_object(
        GROUP, VERSION, NS, VMIMS, label_selector="kubevirt.io/vmi-name=vm-01-01")["items"]
    assert len(migrations) == 1
    vmim = migrations[0]
    assert vmim["metadata"]["name"].startswith("kubevirt-evacuation-")
    assert vmim["metadata"]["annotations"]["kubevirt.io/evacuationMigration"] == "node-01"
    wait_phase(custom, vmim["metadata"]["name"], "Succeeded")
    vmi = get_vmi(custom, "vm-01-01")
    assert vmi["status"]["nodeName"] != "node-01" and "evacuationNodeName" not in vmi["status"]


def test_not_migratable_vmi_blocks_the_drain(core, custom):
    with pytest.raises(ApiException) as err:
        evict(core, launcher(core, "vm-01-12"))
    assert err.value.status == 429 and "not live-migratable" in err.value.body
    assert not custom.list_namespaced_custom_object(GROUP, VERSION, NS, VMIMS)["items"]


def test_eviction_strategy_none_shuts_the_guest_down(core, custom):
    custom.patch_namespaced_custom_object(GROUP, VERSION, NS, VMIS, "vm-01-05",
                                          {"spec": {"evictionStrategy": "None"}})
    pod = launcher(core, "vm-01-05")
    evict(core, pod)
    assert not core.list_namespaced_pod(NS, label_selector="vm.kubevirt.io/name=vm-01-05").items
    wait_for(lambda: get_vmi(custom, "vm-01-05")["status"]["phase"] == "Succeeded")
