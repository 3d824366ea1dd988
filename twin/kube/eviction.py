"""pods/eviction: what a node drain meets. KubeVirt intercepts evictions of virt-launcher pods
whose VMI should live-migrate, answers 429 and starts an evacuation migration instead."""
from . import kubevirt
from .errors import ApiError

MIGRATING = ("LiveMigrate", "LiveMigrateIfPossible")


def _deny(message):
    return ApiError(429, f'admission webhook "{kubevirt.EVICTION_WEBHOOK}" denied the request: '
                         f"{message}")


def evict(store, namespace, name):
    pod = store.get(kubevirt.POD, namespace, name)
    labels = pod["metadata"].get("labels") or {}
    vmi = None
    if labels.get(kubevirt.LAUNCHER_LABEL) == "virt-launcher":
        try:
            vmi = store.get(kubevirt.VMI, namespace, labels.get(kubevirt.LAUNCHER_VM_LABEL, ""))
        except ApiError:
            vmi = None
    if vmi is not None and (vmi.get("status") or {}).get("nodeName") == pod["spec"].get("nodeName"):
        strategy = vmi["spec"].get("evictionStrategy") or \
            kubevirt.cluster_eviction_strategy(store) or "None"
        migratable = kubevirt.not_migratable(vmi) is None
        if strategy == "LiveMigrate" and not migratable:
            raise _deny(f'VMI "{namespace}/{vmi["metadata"]["name"]}" uses eviction strategy '
                        "LiveMigrate but is not live-migratable")
        if strategy == "External" or (strategy in MIGRATING and migratable):
            _evacuate(store, vmi, pod["spec"]["nodeName"], start=strategy != "External")
            raise _deny(f'Eviction triggered evacuation of VMI "{namespace}/{vmi["metadata"]["name"]}"')
    store.delete(kubevirt.POD, namespace, name)
    if vmi is not None:
        store.mutate(kubevirt.VMI, namespace, vmi["metadata"]["name"], _shut_down)
    return 201, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                 "code": 201}


def _shut_down(vmi):
    # Without a migrating eviction strategy the guest is shut down with its pod.
    vmi["status"]["phase"] = "Succeeded"


def _evacuate(store, vmi, node, start):
    meta = vmi["metadata"]
    with store.changed:  # concurrent drains must not start two migrations of one VMI
        if (vmi.get("status") or {}).get("evacuationNodeName") != node:
            store.mutate(kubevirt.VMI, meta["namespace"], meta["name"],
                         lambda v: v["status"].__setitem__("evacuationNodeName", node))
        if start and not kubevirt.in_flight(store, meta["namespace"], meta["name"]):
            store.create(kubevirt.VMIM, kubevirt.mark_migration({
                "metadata": {"generateName": "kubevirt-evacuation-",
                             "namespace": meta["namespace"],
                             "annotations": {kubevirt.EVACUATION_ANNOTATION: node}},
                "spec": {"vmiName": meta["name"]},
            }))
