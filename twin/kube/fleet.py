"""Builds the cluster's initial objects from a fleet description (JSON) or a generated one.

Fleet file::

    {"nodes": [{"name": "n1", "hostModel": "Cascadelake-Server",
                "cpuModels": ["Cascadelake-Server", "Skylake-Server"], "memory": "64Gi",
                "schedulable": true, "bandwidthMibps": 1000, "labels": {}}],
     "vms": [{"name": "vm1", "namespace": "default", "node": "n1", "memory": "2Gi",
              "cpuModel": "host-model", "dirtyMibps": 10, "evictionStrategy": "LiveMigrate",
              "pvcs": [{"name": "vm1-root", "accessModes": ["ReadWriteMany"]}],
              "interface": "masquerade", "hostDevices": [], "phase": "Running",
              "notMigratable": {"reason": "...", "message": "..."}}],
     "migrations": {"parallelMigrationsPerCluster": 5},
     "migrationPolicies": [{"metadata": {"name": "p"}, "spec": {"selectors": {}}}]}

Everything but names is optional. The LiveMigratable condition is derived the way KubeVirt
derives it (RWO PVC, bridge on the pod network, host devices), unless given explicitly.
"""
import copy
import json

from . import kubevirt
from .resources import lookup

NAMESPACE = kubevirt.NAMESPACE
HCO_NAMESPACE = "kubevirt-hyperconverged"
POLICY = lookup("migrations.kubevirt.io", "migrationpolicies")
MODELS = ["Cascadelake-Server", "Skylake-Server", "Haswell-noTSX"]
BLOCKERS = ["DisksNotLiveMigratable", "InterfaceNotLiveMigratable", "HostDeviceNotLiveMigratable"]

MESSAGES = {
    "DisksNotLiveMigratable": "cannot migrate VMI: PVC {pvc} is not shared, live migration "
                              "requires that all PVCs must be shared (using ReadWriteMany "
                              "access mode)",
    "InterfaceNotLiveMigratable": "cannot migrate VMI which does not use masquerade, bridge with "
                                  "kubevirt.io/allow-pod-bridge-network-live-migration VM "
                                  "annotation or a migratable plugin to connect to the pod network",
    "HostDeviceNotLiveMigratable": "VMI uses a PCI host devices",
}


def generate(nodes=4, vmis_per_node=12):
    """A deterministic fleet: same host model everywhere, a few VMs that cannot migrate."""
    fleet = {"nodes": [], "vms": []}
    for n in range(1, nodes + 1):
        node = f"node-{n:02d}"
        fleet["nodes"].append({"name": node, "hostModel": MODELS[0], "cpuModels": MODELS,
                               "memory": "256Gi"})
        for i in range(1, vmis_per_node + 1):
            vm = {"name": f"vm-{n:02d}-{i:02d}", "node": node,
                  "memory": f"{[1, 2, 4][i % 3]}Gi", "dirtyMibps": [0, 5, 20, 50][i % 4]}
            if i == vmis_per_node:  # the last VM of each node shows one real blocker
                blocker = BLOCKERS[(n - 1) % len(BLOCKERS)]
                if blocker == "DisksNotLiveMigratable":
                    vm["pvcs"] = [{"name": f"{vm['name']}-root", "accessModes": ["ReadWriteOnce"]}]
                elif blocker == "InterfaceNotLiveMigratable":
                    vm["interface"] = "bridge"
                else:
                    vm["hostDevices"] = [{"name": "gpu0", "deviceName": "nvidia.com/TU104GL"}]
            fleet["vms"].append(vm)
    return fleet


def load(path):
    with open(path) as f:
        return json.load(f)


def _node(spec):
    labels = {"kubernetes.io/hostname": spec["name"], "kubernetes.io/arch": "amd64",
              kubevirt.SCHEDULABLE_LABEL: "true" if spec.get("schedulable", True) else "false"}
    for model in spec.get("cpuModels", MODELS):
        labels[kubevirt.CPU_MODEL_LABEL + model] = "true"
    labels[kubevirt.HOST_MODEL_LABEL + spec.get("hostModel", MODELS[0])] = "true"
    labels.update(spec.get("labels", {}))
    annotations = {}
    if "bandwidthMibps" in spec:
        annotations["vmops.twin/bandwidth-mibps"] = str(spec["bandwidthMibps"])
    memory = spec.get("memory", "256Gi")
    cpu = str(spec.get("cpu", "64"))
    return {"metadata": {"name": spec["name"], "labels": labels, "annotations": annotations},
            "spec": {} if spec.get("schedulable", True) else {"unschedulable": True},
            "status": {"capacity": {"cpu": cpu, "memory": memory, "pods": "250"},
                       "allocatable": {"cpu": cpu, "memory": memory, "pods": "250"},
                       "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                                       "message": "kubelet is posting ready status"}],
                       "nodeInfo": _node_info(spec["name"])}}


def _node_info(name):
    return {"architecture": "amd64", "bootID": f"boot-{name}", "machineID": f"machine-{name}",
            "systemUUID": f"uuid-{name}", "containerRuntimeVersion": "cri-o://1.31.0",
            "kernelVersion": "5.14.0", "kubeProxyVersion": "", "kubeletVersion": "v1.31.0",
            "operatingSystem": "linux", "osImage": "Red Hat Enterprise Linux CoreOS"}


def _blocker(spec):
    if spec.get("notMigratable"):
        return spec["notMigratable"]["reason"], spec["notMigratable"].get("message", "")
    for pvc in spec.get("pvcs", []):
        if "ReadWriteMany" not in pvc.get("accessModes", ["ReadWriteMany"]):
            return "DisksNotLiveMigratable", MESSAGES["DisksNotLiveMigratable"].format(pvc=pvc["name"])
    if spec.get("interface") == "bridge":
        return "InterfaceNotLiveMigratable", MESSAGES["InterfaceNotLiveMigratable"]
    if spec.get("hostDevices"):
        return "HostDeviceNotLiveMigratable", MESSAGES["HostDeviceNotLiveMigratable"]
    return None


def _vmi_spec(spec, pvcs):
    iface = {"name": "default", spec.get("interface", "masquerade"): {}}
    disks = [{"name": p["name"], "disk": {"bus": "virtio"}} for p in pvcs]
    volumes = [{"name": p["name"], "persistentVolumeClaim": {"claimName": p["name"]}} for p in pvcs]
    devices = {"disks": disks, "interfaces": [iface]}
    if spec.get("hostDevices"):
        devices["hostDevices"] = spec["hostDevices"]
    out = {"domain": {"cpu": {"model": spec.get("cpuModel", "host-model"), "cores": 1},
                      "devices": devices,
                      "resources": {"requests": {"memory": spec.get("memory", "2Gi")}}},
           "networks": [{"name": "default", "pod": {}}], "volumes": volumes}
    if spec.get("evictionStrategy", "LiveMigrate"):
        out["evictionStrategy"] = spec.get("evictionStrategy", "LiveMigrate")
    return out


def _vm_objects(spec, stamp):
    """PVCs, VM, VMI and virt-launcher pod of one fleet VM."""
    ns, name, node = spec.get("namespace", "default"), spec["name"], spec["node"]
    pvcs = spec.get("pvcs", [{"name": f"{name}-root", "accessModes": ["ReadWriteMany"]}])
    for p in pvcs:
        yield kubevirt.PVC, {
            "metadata": {"name": p["name"], "namespace": ns},
            "spec": {"accessModes": p.get("accessModes", ["ReadWriteMany"]),
                     "resources": {"requests": {"storage": p.get("size", "10Gi")}},
                     "volumeMode": p.get("volumeMode", "Block")},
            "status": {"phase": "Bound", "accessModes": p.get("accessModes", ["ReadWriteMany"]),
                       "capacity": {"storage": p.get("size", "10Gi")}}}
    vmi_spec = _vmi_spec(spec, pvcs)
    running = spec.get("phase", "Running") == "Running"
    labels = dict(spec.get("labels", {}), **{"kubevirt.io/domain": name})
    yield kubevirt.VM, {
        "metadata": {"name": name, "namespace": ns, "labels": dict(labels)},
        "spec": {"runStrategy": "Always" if running else "Halted",
                 "template": {"metadata": {"labels": dict(labels)}, "spec": copy.deepcopy(vmi_spec)}},
        "status": {"created": running, "ready": running,
                   "printableStatus": "Running" if running else "Stopped"}}
    blocker = _blocker(spec)
    migratable = {"type": "LiveMigratable", "status": "True", "lastProbeTime": None,
                  "lastTransitionTime": stamp}
    if blocker:
        migratable.update(status="False", reason=blocker[0], message=blocker[1])
    annotations = {}
    if spec.get("dirtyMibps") is not None:
        annotations[kubevirt.DIRTY_RATE_ANNOTATION] = str(spec["dirtyMibps"])
    yield kubevirt.VMI, {
        "metadata": {"name": name, "namespace": ns, "annotations": annotations,
                     "labels": dict(labels, **{kubevirt.NODE_NAME_LABEL: node})},
        "spec": vmi_spec,
        "status": {"phase": spec.get("phase", "Running"), "nodeName": node,
                   "conditions": [{"type": "Ready", "status": "True" if running else "False",
                                   "lastProbeTime": None, "lastTransitionTime": stamp},
                                  migratable],
                   "migrationMethod": "LiveMigration", "qosClass": "Burstable",
                   "phaseTransitionTimestamps": [{"phase": "Running",
                                                  "phaseTransitionTimestamp": stamp}],
                   "interfaces": [{"name": "default", "interfaceName": "eth0",
                                   "infoSource": "domain, guest-agent"}]}}
    if running:
        yield kubevirt.POD, launcher_pod(ns, name, node, spec.get("memory", "2Gi"))


def launcher_pod(namespace, vmi_name, node, memory, phase="Running"):
    return {"metadata": {"generateName": f"virt-launcher-{vmi_name}-", "namespace": namespace,
                         "labels": {kubevirt.LAUNCHER_LABEL: "virt-launcher",
                                    kubevirt.LAUNCHER_VM_LABEL: vmi_name}},
            "spec": {"nodeName": node, "containers": [
                {"name": "compute", "image": "quay.io/kubevirt/virt-launcher:v1.6.6",
                 "resources": {"requests": {"memory": memory}}}]},
            "status": {"phase": phase}}


def _kubevirt_crs(migrations):
    live = dict(kubevirt.MIGRATION_DEFAULTS, **migrations)
    yield kubevirt.HCO, {
        "metadata": {"name": "kubevirt-hyperconverged", "namespace": HCO_NAMESPACE},
        "spec": {"liveMigrationConfig": copy.deepcopy(live)},
        "status": {"conditions": [{"type": "Available", "status": "True", "reason": "ReconcileCompleted",
                                   "message": "Reconcile completed successfully"}]}}
    yield kubevirt.KUBEVIRT, {
        "metadata": {"name": "kubevirt-kubevirt-hyperconverged", "namespace": HCO_NAMESPACE},
        "spec": {"configuration": {"migrations": copy.deepcopy(live)}},
        "status": {"phase": "Deployed", "observedKubeVirtVersion": "v1.6.6",
                   "operatorVersion": "v1.6.6",
                   "conditions": [{"type": "Available", "status": "True", "reason": "AllResourcesReady",
                                   "message": "All components are ready."}]}}


def objects(fleet, stamp):
    """(resource, object) pairs in creation order: namespaces first."""
    namespaces = {"default", HCO_NAMESPACE} | set(fleet.get("namespaces", []))
    namespaces |= {vm.get("namespace", "default") for vm in fleet.get("vms", [])}
    for ns in sorted(namespaces):
        yield NAMESPACE, {"metadata": {"name": ns}, "status": {"phase": "Active"}}
    for node in fleet.get("nodes", []):
        yield kubevirt.NODE, _node(node)
    yield from _kubevirt_crs(fleet.get("migrations", {}))
    for policy in fleet.get("migrationPolicies", []):
        yield POLICY, copy.deepcopy(policy)
    for vm in fleet.get("vms", []):
        yield from _vm_objects(vm, stamp)
