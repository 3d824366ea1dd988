"""The resource types the twin serves: one table drives routing, discovery, RBAC and printing."""
from dataclasses import dataclass, field

READ = ["get", "list", "watch"]
WRITE = ["create", "update", "patch", "delete", "deletecollection"]


@dataclass(frozen=True)
class Resource:
    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    short_names: tuple = ()
    subresources: tuple = ()          # e.g. ("status",)
    verbs: tuple = tuple(READ + WRITE)
    categories: tuple = ()
    # Printer columns for kubectl's server-side Table output: (header, JSON path, type).
    columns: tuple = field(default=())
    stored: bool = True               # False: a virtual resource answered by a handler

    @property
    def api_version(self):
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self):
        """How API errors name the resource: plural.group (core: plural)."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def key(self):
        return (self.group, self.plural)


CREATE_ONLY = ("create",)

RESOURCES = [
    Resource("", "v1", "namespaces", "Namespace", False, ("ns",), ("status",),
             verbs=("create", "delete", "get", "list", "patch", "update", "watch")),
    Resource("", "v1", "nodes", "Node", False, ("no",), ("status",)),
    Resource("", "v1", "pods", "Pod", True, ("po",), ("status", "eviction"), categories=("all",),
             columns=(("Status", "status.phase", "string"), ("Node", "spec.nodeName", "string"))),
    Resource("", "v1", "events", "Event", True, ("ev",),
             columns=(("Type", "type", "string"), ("Reason", "reason", "string"),
                      ("Message", "message", "string"))),
    Resource("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", True, ("pvc",), ("status",),
             columns=(("Status", "status.phase", "string"),
                      ("Access Modes", "spec.accessModes", "string"))),
    Resource("kubevirt.io", "v1", "virtualmachines", "VirtualMachine", True, ("vm", "vms"),
             ("status",), categories=("all",),
             columns=(("Status", "status.printableStatus", "string"),
                      ("Ready", "status.ready", "boolean"))),
    Resource("kubevirt.io", "v1", "virtualmachineinstances", "VirtualMachineInstance", True,
             ("vmi", "vmis"), ("status",), categories=("all",),
             columns=(("Phase", "status.phase", "string"), ("NodeName", "status.nodeName", "string"))),
    Resource("kubevirt.io", "v1", "virtualmachineinstancemigrations",
             "VirtualMachineInstanceMigration", True, ("vmim", "vmims"), ("status",),
             categories=("all",),
             columns=(("Phase", "status.phase", "string"), ("VMI", "spec.vmiName", "string"))),
    Resource("kubevirt.io", "v1", "kubevirts", "KubeVirt", True, ("kv", "kvs"), ("status",),
             categories=("all",), columns=(("Phase", "status.phase", "string"),)),
    Resource("migrations.kubevirt.io", "v1alpha1", "migrationpolicies", "MigrationPolicy", False,
             (), ("status",), categories=("all",)),
    Resource("hco.kubevirt.io", "v1beta1", "hyperconvergeds", "HyperConverged", True,
             ("hco", "hcos"), ("status",)),
    Resource("authorization.k8s.io", "v1", "selfsubjectaccessreviews", "SelfSubjectAccessReview",
             False, verbs=CREATE_ONLY, stored=False),
]

BY_PATH = {(r.group, r.version, r.plural): r for r in RESOURCES}
BY_KEY = {r.key: r for r in RESOURCES}


def groups():
    """Group name -> ordered list of its versions, core group excluded."""
    out = {}
    for r in RESOURCES:
        if r.group and r.version not in out.setdefault(r.group, []):
            out[r.group].append(r.version)
    return out


def lookup(group, plural):
    return BY_KEY[(group, plural)]
