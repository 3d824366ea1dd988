"""KubeVirt's migration admission: the rejections and the mutations, with KubeVirt's messages."""
import json

import pytest
from kubernetes.client.rest import ApiException

from .conftest import GROUP, NS, VERSION, VMIMS, VMIS, migrate

WEBHOOK = 'admission webhook "migration-create-validator.kubevirt.io" denied the request: '


def rejection(custom, vmi, **spec):
    with pytest.raises(ApiException) as err:
        migrate(custom, vmi, **spec)
    return err.value.status, json.loads(err.value.body)["message"]


def test_missing_vmi(custom):
    assert rejection(custom, "ghost") == (400, WEBHOOK + 'the VMI "default/ghost" does not exist')


def test_missing_vmi_name(custom):
    with pytest.raises(ApiException) as err:
        custom.create_namespaced_custom_object(GROUP, VERSION, NS, VMIMS, {
            "metadata": {"name": "nameless"}, "spec": {}})
    assert err.value.status == 422
    assert json.loads(err.value.body)["details"]["causes"][0]["field"] == "spec.vmiName"


def test_finalized_vmi(custom):
    custom.patch_namespaced_custom_object_status(GROUP, VERSION, NS, VMIS, "vm-01-01",
                                                 {"status": {"phase": "Succeeded"}})
    assert rejection(custom, "vm-01-01") == (400, WEBHOOK + "Cannot migrate VMI in finalized state.")


@pytest.mark.parametrize("vmi, reason", [
    ("vm-01-12", "DisksNotLiveMigratable"),
    ("vm-02-12", "InterfaceNotLiveMigratable"),
    ("vm-03-12", "HostDeviceNotLiveMigratable"),
])
def test_not_live_migratable(custom, vmi, reason):
    code, message = rejection(custom, vmi)
    assert code == 400
    assert message.startswith(WEBHOOK + f"Cannot migrate VMI, Reason: {reason}, Message: ")


def test_second_in_flight_migration(custom, twin):
    twin.set_time_factor(1)  # keep the first one in flight
    try:
        first = migrate(custom, "vm-01-01")
        code, message = rejection(custom, "vm-01-01")
    finally:
        twin.set_time_factor(50)
    assert code == 400
    assert message == (WEBHOOK + f"in-flight migration detected. Active migration job "
                       f"({first['metadata']['uid']}) is currently already in progress for VMI "
                       "vm-01-01.")


def test_mutations_and_spec_is_immutable(custom):
    made = migrate(custom, "vm-01-02")
    assert made["metadata"]["labels"]["kubevirt.io/vmi-name"] == "vm-01-02"
    assert "kubevirt.io/migrationJobFinalize" in made["metadata"]["finalizers"]
    with pytest.raises(ApiException) as err:
        custom.patch_namespaced_custom_object(GROUP, VERSION, NS, VMIMS, made["metadata"]["name"],
                                              {"spec": {"vmiName": "vm-01-03"}})
    assert "update of Migration object's spec is restricted" in err.value.body
