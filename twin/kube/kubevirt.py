"""KubeVirt names and small read helpers shared by admission, eviction and the controller."""
from . import quantity
from .selectors import parse_labels
from .resources import lookup

VMI = lookup("kubevirt.io", "virtualmachineinstances")
VM = lookup("kubevirt.io", "virtualmachines")
VMIM = lookup("kubevirt.io", "virtualmachineinstancemigrations")
KUBEVIRT = lookup("kubevirt.io", "kubevirts")
HCO = lookup("hco.kubevirt.io", "hyperconvergeds")
POD = lookup("", "pods")
NODE = lookup("", "nodes")
PVC = lookup("", "persistentvolumeclaims")
EVENT = lookup("", "events")
NAMESPACE = lookup("", "namespaces")

VMI_NAME_LABEL = "kubevirt.io/vmi-name"            # MigrationSelectorLabel
MIGRATION_FINALIZER = "kubevirt.io/migrationJobFinalize"
NODE_NAME_LABEL = "kubevirt.io/nodeName"
SCHEDULABLE_LABEL = "kubevirt.io/schedulable"
CPU_MODEL_LABEL = "cpu-model.node.kubevirt.io/"
HOST_MODEL_LABEL = "host-model-cpu.node.kubevirt.io/"
LAUNCHER_LABEL = "kubevirt.io"                     # value "virt-launcher"
LAUNCHER_VM_LABEL = "vm.kubevirt.io/name"
EVACUATION_ANNOTATION = "kubevirt.io/evacuationMigration"
DIRTY_RATE_ANNOTATION = "vmops.twin/dirty-mibps"
FINAL = ("Succeeded", "Failed")
CREATE_WEBHOOK = "migration-create-validator.kubevirt.io"
UPDATE_WEBHOOK = "migration-update-validator.kubevirt.io"
EVICTION_WEBHOOK = "virt-launcher-eviction-interceptor.kubevirt.io"

# MigrationConfiguration defaults (pkg/virt-config, see facts.md).
MIGRATION_DEFAULTS = {
    "parallelMigrationsPerCluster": 5,
    "parallelOutboundMigrationsPerNode": 2,
    "bandwidthPerMigration": "0Mi",
    "completionTimeoutPerGiB": 150,
    "progressTimeout": 150,
    "allowPostCopy": False,
    "allowAutoConverge": False,
}


def memory_bytes(vmi):
    domain = vmi.get("spec", {}).get("domain", {})
    requests = (domain.get("resources") or {}).get("requests") or {}
    guest = (domain.get("memory") or {}).get("guest")
    return quantity.parse(requests.get("memory") or guest, 0)


def condition(obj, kind):
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if cond.get("type") == kind:
            return cond
    return None


def not_migratable(vmi):
    """The False LiveMigratable condition, or None when the VMI may migrate."""
    cond = condition(vmi, "LiveMigratable")
    return cond if cond and cond.get("status") == "False" else None


def in_flight(store, namespace, vmi_name, exclude_uid=None):
    """Migrations of this VMI that are not final yet."""
    match = parse_labels(f"{VMI_NAME_LABEL}={vmi_name}")
    items, _ = store.list(VMIM, namespace, lambda o: match(o["metadata"].get("labels")))
    return [m for m in items if (m.get("status") or {}).get("phase") not in FINAL
            and m["metadata"]["uid"] != exclude_uid]


def mark_migration(vmim):
    """What KubeVirt's migration-create mutator adds to every new VMIM."""
    meta = vmim.setdefault("metadata", {})
    meta.setdefault("labels", {})[VMI_NAME_LABEL] = vmim.get("spec", {}).get("vmiName", "")
    finalizers = meta.setdefault("finalizers", [])
    if MIGRATION_FINALIZER not in finalizers:
        finalizers.append(MIGRATION_FINALIZER)
    return vmim


def migration_config(store):
    """spec.configuration.migrations of the (first) KubeVirt CR over the defaults."""
    config = dict(MIGRATION_DEFAULTS)
    items, _ = store.list(KUBEVIRT)
    if items:
        config.update(((items[0].get("spec") or {}).get("configuration") or {}).get("migrations") or {})
    return config


def cluster_eviction_strategy(store):
    items, _ = store.list(KUBEVIRT)
    if items:
        return ((items[0].get("spec") or {}).get("configuration") or {}).get("evictionStrategy")
    return None
