"""Generic API semantics with the official client: CRUD, selectors, conflicts, patches."""
import pytest
from kubernetes.client.rest import ApiException

from .conftest import GROUP, NS, VERSION, VMIS

CM_LIKE = "persistentvolumeclaims"


def pvc(name=None, generate=None, labels=None):
    meta = {"labels": labels or {}}
    if name:
        meta["name"] = name
    if generate:
        meta["generateName"] = generate
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta,
            "spec": {"accessModes": ["ReadWriteMany"],
                     "resources": {"requests": {"storage": "1Gi"}}}}


def test_create_get_list_delete(core):
    made = core.create_namespaced_persistent_volume_claim(NS, pvc("data-1", labels={"app": "a"}))
    assert made.metadata.uid and made.metadata.creation_timestamp
    assert int(made.metadata.resource_version) > 0
    got = core.read_namespaced_persistent_volume_claim("data-1", NS)
    assert got.metadata.uid == made.metadata.uid
    core.delete_namespaced_persistent_volume_claim("data-1", NS)
    with pytest.raises(ApiException) as err:
        core.read_namespaced_persistent_volume_claim("data-1", NS)
    assert err.value.status == 404


def test_generate_name_and_global_resource_version(core):
    a = core.create_namespaced_persistent_volume_claim(NS, pvc(generate="scratch-"))
    b = core.create_namespaced_persistent_volume_claim(NS, pvc(generate="scratch-"))
    assert a.metadata.name.startswith("scratch-") and len(a.metadata.name) == len("scratch-") + 5
    assert a.metadata.name != b.metadata.name
    assert int(b.metadata.resource_version) > int(a.metadata.resource_version)


def test_label_and_field_selectors(core, custom):
    core.create_namespaced_persistent_volume_claim(NS, pvc("sel-a", labels={"tier": "db"}))
    core.create_namespaced_persistent_volume_claim(NS, pvc("sel-b", labels={"tier": "web"}))
    names = lambda items: sorted(i.metadata.name for i in items)  # noqa: E731
    assert names(core.list_namespaced_persistent_volume_claim(
        NS, label_selector="tier=db").items) == ["sel-a"]
    assert names(core.list_namespaced_persistent_volume_claim(
        NS, label_selector="tier in (db,web),tier!=web").items) == ["sel-a"]
    assert names(core.list_namespaced_persistent_volume_claim(
        NS, label_selector="tier", field_selector="metadata.name!=sel-a").items) == ["sel-b"]
    pods = core.list_pod_for_all_namespaces(field_selector="spec.nodeName=node-02,status.phase=Running")
    assert pods.items and {p.spec.node_name for p in pods.items} == {"node-02"}
    vmis = custom.list_namespaced_custom_object(GROUP, VERSION, NS, VMIS,
                                                label_selector="kubevirt.io/nodeName=node-03")
    assert len(vmis["items"]) == 12
    assert not core.list_pod_for_all_namespaces(field_selector="metadata.namespace=nowhere").items


def test_conflicts(core):
    made = core.create_namespaced_persistent_volume_claim(NS, pvc("dup"))
    with pytest.raises(ApiException) as err:
        core.create_namespaced_persistent_volume_claim(NS, pvc("dup"))
    assert err.value.status == 409 and '"reason": "AlreadyExists"' in err.value.body.replace(
        '":"', '": "')
    made.metadata.labels = {"v": "1"}
    core.replace_namespaced_persistent_volume_claim("dup", NS, made)  # bumps the version
    made.metadata.labels = {"v": "2"}
    with pytest.raises(ApiException) as err:
        core.replace_namespaced_persistent_volume_claim("dup", NS, made)  # stale version
    assert err.value.status == 409 and "the object has been modified" in err.value.body


def test_merge_json_and_strategic_patch(core, custom):
    core.create_namespaced_persistent_volume_claim(NS, pvc("patched", labels={"a": "1", "b": "2"}))
    # The client sends a dict as strategic merge patch for core types.
    got = core.patch_namespaced_persistent_volume_claim(
        "patched", NS, {"metadata": {"labels": {"a": None, "c": "3"}}})
    assert got.metadata.labels == {"b": "2", "c": "3"}
    got = core.patch_namespaced_persistent_volume_claim(
        "patched", NS, [{"op": "replace", "path": "/metadata/labels/b", "value": "20"},
                        {"op": "add", "path": "/metadata/annotations", "value": {"x": "y"}}])
    assert got.metadata.labels["b"] == "20" and got.metadata.annotations == {"x": "y"}
    with pytest.raises(ApiException) as err:
        core.patch_namespaced_persistent_volume_claim(
            "patched", NS, [{"op": "test", "path": "/metadata/labels/b", "value": "nope"}])
    assert err.value.status == 422
    vmi = custom.patch_namespaced_custom_object(
        GROUP, VERSION, NS, VMIS, "vm-01-01", {"metadata": {"labels": {"team": "x"}}})
    assert vmi["metadata"]["labels"]["team"] == "x"


def test_status_subresource_separates_spec_and_status(custom):
    vmi = custom.get_namespaced_custom_object(GROUP, VERSION, NS, VMIS, "vm-01-02")
    vmi["status"]["phase"] = "Failed"
    vmi["spec"]["evictionStrategy"] = "None"
    after = custom.replace_namespaced_custom_object(GROUP, VERSION, NS, VMIS, "vm-01-02", vmi)
    assert after["status"]["phase"] == "Running"          # main resource ignores status
    assert after["spec"]["evictionStrategy"] == "None"
    assert after["metadata"]["generation"] == 2
    after = custom.patch_namespaced_custom_object_status(
        GROUP, VERSION, NS, VMIS, "vm-01-02",
        {"status": {"phase": "Failed"}, "spec": {"evictionStrategy": "LiveMigrate"}})
    assert after["status"]["phase"] == "Failed"           # /status ignores spec
    assert after["spec"]["evictionStrategy"] == "None"


def test_finalizers_hold_deletion(core):
    made = pvc("held")
    made["metadata"]["finalizers"] = ["example.com/hold"]
    core.create_namespaced_persistent_volume_claim(NS, made)
    core.delete_namespaced_persistent_volume_claim("held", NS)
    held = core.read_namespaced_persistent_volume_claim("held", NS)
    assert held.metadata.deletion_timestamp is not None
    core.patch_namespaced_persistent_volume_claim(
        "held", NS, [{"op": "remove", "path": "/metadata/finalizers"}])
    with pytest.raises(ApiException) as err:
        core.read_namespaced_persistent_volume_claim("held", NS)
    assert err.value.status == 404


def test_errors_are_status_objects(core):
    with pytest.raises(ApiException) as err:
        core.read_namespace("absent")
    assert err.value.status == 404
    assert '"kind": "Status"' in err.value.body.replace('":"', '": "')
    with pytest.raises(ApiException) as err:
        core.create_namespaced_persistent_volume_claim("absent-ns", pvc("x"))
    assert err.value.status == 404 and 'namespaces \\"absent-ns\\" not found' in err.value.body \
        or 'namespaces "absent-ns" not found' in err.value.body
