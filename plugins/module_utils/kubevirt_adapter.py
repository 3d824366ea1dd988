# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The KubeVirt side: reads of nodes, VMIs and migrations, the `kubevirt` snapshot built from
them, and the executor backend that moves VMIs with VirtualMachineInstanceMigration objects.

KubeVirt facts this relies on (KubeVirt v1.6): KubeVirt's mutating webhook labels every VMIM
`kubevirt.io/vmi-name=<vmi>`, and its admission refuses a second in-flight VMIM for a VMI;
VMIMs move through Pending .. Running to Succeeded or Failed; deleting an unfinished VMIM
cancels it (a finalizer keeps it until the cancel ends, with condition
`migrationAbortRequested`); over-limit VMIMs wait Pending. A VMIM carries no byte counters, so
stalls are left to KubeVirt's own progressTimeout.
"""

from __future__ import annotations

import hashlib
import re

from ansible_collections.vmops.migration.plugins.module_utils.errors import MigrationFailed, NotFound
from ansible_collections.vmops.migration.plugins.module_utils.executor import (
    CANCELLED, COMPLETED, FAILED, IN_PROGRESS, Handle, Progress,
)
from ansible_collections.vmops.migration.plugins.module_utils.failures import Failure
from ansible_collections.vmops.migration.plugins.module_utils.kubernetes import MERGE_PATCH

try:
    from kubernetes.utils import parse_quantity
except ImportError:
    parse_quantity = None  # KubeModule reports the missing library

GROUP, VERSION = "kubevirt.io", "v1"
VMIS, VMIMS, KUBEVIRTS = "virtualmachineinstances", "virtualmachineinstancemigrations", "kubevirts"
HCO = ("hco.kubevirt.io", "v1beta1", "hyperconvergeds")
VMI_NAME_LABEL = "kubevirt.io/vmi-name"
HOSTNAME_LABEL = "kubernetes.io/hostname"
SCHEDULABLE_LABEL = "kubevirt.io/schedulable"
# Labels on the VMIMs this collection creates: who made it, and for which request (idempotence).
MANAGED_LABEL = "vmops.io/managed-by"
MANAGED_BY = "vmops.migration"
REQUEST_LABEL = "vmops.io/request"
ABORT_CONDITION = "migrationAbortRequested"
FINAL_PHASES = ("Succeeded", "Failed")
MIB = 1024 * 1024
# KubeVirt's MigrationConfiguration defaults (pkg/virt-config).
MIGRATION_DEFAULTS = {
    "parallelMigrationsPerCluster": 5,
    "parallelOutboundMigrationsPerNode": 2,
    "bandwidthPerMigration": "0Mi",
    "completionTimeoutPerGiB": 150,
    "progressTimeout": 150,
    "allowPostCopy": False,
    "allowAutoConverge": False,
}

# KubeVirt's words (admission denials, migrationState.failureReason) -> failure codes, first match wins.
_PATTERNS = [
    (re.compile(r"does not exist|no longer exists", re.I), "INSTANCE_NOT_FOUND"),
    (re.compile(r"aborted by user request|abort", re.I), "ABORTED"),
    (re.compile(r"unschedulable|nodes are available|FailedScheduling", re.I), "NO_VALID_HOST"),
    (re.compile(r"Insufficient|exceeded quota|ResourceQuota", re.I), "INSUFFICIENT_RESOURCES"),
    (re.compile(r"stuck for \d+ sec", re.I), "STALLED"),
    (re.compile(r"not completed after \d+ sec", re.I), "TIMEOUT"),
    (re.compile(r"in-flight migration|finalized state|Cannot migrate VMI", re.I), "RACE"),
]


def classify(message):
    """The failure code for one of KubeVirt's messages about a migration."""
    for pattern, code in _PATTERNS:
        if pattern.search(message or ""):
            return code
    return "UNKNOWN"


def vmi_key(namespace, name):
    return "%s/%s" % (namespace, name)


def split_key(key, default_namespace):
    """(namespace, name) of `name` or `namespace/name`."""
    namespace, sep, name = key.rpartition("/")
    return (namespace if sep else default_namespace), name


def request_label(key, node_selector, request_id):
    """A label value naming one VMI's migration request: same VMI, selector and request id, same value."""
    text = "%s|%s|%s" % (key, sorted((node_selector or {}).items()), request_id or "")
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def mebibytes(quantity, default=0):
    if quantity in (None, ""):
        return default
    return int(parse_quantity(str(quantity)) / MIB)


def condition(obj, kind):
    for entry in (obj.get("status") or {}).get("conditions") or []:
        if entry.get("type") == kind:
            return entry
    return None


def phase_of(vmim):
    return (vmim.get("status") or {}).get("phase") or ""


def created(obj):
    meta = obj["metadata"]
    return (meta.get("creationTimestamp") or "", meta["name"])


class KubeVirtCluster:
    """Reads (retried) and the few writes of the KubeVirt modules over one `KubeApi`."""

    def __init__(self, api):
        self.api = api

    # -- reads ------------------------------------------------------------------------------

    def node(self, name):
        found = self.api.read("read node %s" % name, lambda: self.api.client.sanitize_for_serialization(
            self.api.core.read_node(name)), missing_ok=True)
        if found is None:
            raise NotFound("node", name)
        return found

    def nodes(self):
        """Nodes as the API serves them (camelCase keys), like custom objects."""
        return self.api.read("list nodes", lambda: self.api.client.sanitize_for_serialization(
            self.api.core.list_node())["items"])

    def vmis(self, namespace=None, label_selector=None):
        return self._list(VMIS, namespace, label_selector)

    def vmi(self, namespace, name):
        return self.api.read("read VMI %s/%s" % (namespace, name), lambda: self.api.custom.get_namespaced_custom_object(
            GROUP, VERSION, namespace, VMIS, name), missing_ok=True)

    def vmims(self, namespace=None, label_selector=None):
        """VMIMs, oldest first."""
        return sorted(self._list(VMIMS, namespace, label_selector), key=created)

    def vmims_of(self, namespace, name):
        return self.vmims(namespace, "%s=%s" % (VMI_NAME_LABEL, name))

    def vmim(self, namespace, name):
        return self.api.read("read migration %s/%s" % (namespace, name),
                             lambda: self.api.custom.get_namespaced_custom_object(GROUP, VERSION, namespace, VMIMS, name),
                             missing_ok=True)

    def _list(self, plural, namespace, label_selector):
        kwargs = {"label_selector": label_selector} if label_selector else {}

        def call():
            if namespace:
                return self.api.custom.list_namespaced_custom_object(GROUP, VERSION, namespace, plural, **kwargs)
            return self.api.custom.list_cluster_custom_object(GROUP, VERSION, plural, **kwargs)
        return self.api.read("list %s" % plural, call)["items"]

    def pvc_access_modes(self):
        """(namespace, claim) -> access modes of every PVC."""
        claims = self.api.read("list persistentvolumeclaims", lambda: self.api.client.sanitize_for_serialization(
            self.api.core.list_persistent_volume_claim_for_all_namespaces())["items"])
        return {(claim["metadata"]["namespace"], claim["metadata"]["name"]):
                list((claim.get("spec") or {}).get("accessModes") or []) for claim in claims}

    def kubevirt(self):
        """The KubeVirt CR (there is one per cluster), or None."""
        found = self.api.read("list kubevirts", lambda: self.api.custom.list_cluster_custom_object(
            GROUP, VERSION, KUBEVIRTS))["items"]
        return found[0] if found else None

    def hyperconverged(self):
        """The HyperConverged CR when OpenShift Virtualization / HCO manages KubeVirt, else None."""
        found = self.api.read("list hyperconvergeds", lambda: self.api.custom.list_cluster_custom_object(*HCO),
                              missing_ok=True)
        items = (found or {}).get("items") or []
        return items[0] if items else None

    def migration_config(self, kubevirt=None):
        """The effective migration settings: KubeVirt's defaults under the KubeVirt CR's own."""
        kubevirt = kubevirt if kubevirt is not None else self.kubevirt()
        effective = dict(MIGRATION_DEFAULTS)
        effective.update(_configuration(kubevirt).get("migrations") or {})
        return effective

    def may(self, verb, namespace=None, resource=VMIMS, group=GROUP):
        """Whether the caller may `verb` `resource` (a SelfSubjectAccessReview)."""
        attributes = {"verb": verb, "group": group, "resource": resource}
        if namespace:
            attributes["namespace"] = namespace
        body = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                "spec": {"resourceAttributes": attributes}}
        review = self.api.write("ask whether this account may %s %s" % (verb, resource),
                                lambda: self.api.authorization.create_self_subject_access_review(body))
        return bool(review.status and review.status.allowed)

    def may_migrate(self, namespace=None):
        """Whether the caller may start and cancel migrations (kubevirt.io:migrate) in `namespace` (None: all)."""
        return self.may("create", namespace) and self.may("delete", namespace)

    # -- writes -----------------------------------------------------------------------------

    def create_vmim(self, namespace, body):
        return self.api.write("create a migration of VMI %s/%s" % (namespace, body["spec"]["vmiName"]),
                              lambda: self.api.custom.create_namespaced_custom_object(GROUP, VERSION, namespace,
                                                                                      VMIMS, body))

    def delete_vmim(self, namespace, name):
        """DELETE (cancel) a VMIM; False when it was already gone."""
        done = self.api.write("delete migration %s/%s" % (namespace, name),
                              lambda: self.api.custom.delete_namespaced_custom_object(GROUP, VERSION, namespace,
                                                                                      VMIMS, name), missing_ok=True)
        return done is not None

    def patch_node(self, name, patch):
        return self.api.write("patch node %s" % name, lambda: self.api.core.patch_node(
            name, patch, _content_type=MERGE_PATCH))

    def patch_custom(self, obj, group, version, plural, patch):
        meta = obj["metadata"]
        return self.api.write("patch %s %s/%s" % (plural, meta.get("namespace"), meta["name"]),
                              lambda: self.api.custom.patch_namespaced_custom_object(
                                  group, version, meta["namespace"], plural, meta["name"], patch,
                                  _content_type=MERGE_PATCH))


def _configuration(kubevirt):
    return ((kubevirt or {}).get("spec") or {}).get("configuration") or {}


# -- the snapshot ---------------------------------------------------------------------------

def build_snapshot(cluster, namespace=None):
    """A `kubevirt` snapshot dict (contracts/snapshot.schema.json) of every node and of the
    running VMIs (of `namespace`, or all) that sit on a node."""
    kubevirt = cluster.kubevirt()
    nodes = cluster.nodes()
    node_names = {node["metadata"]["name"] for node in nodes}
    in_flight = {_vmim_vmi(vmim) for vmim in cluster.vmims(namespace) if phase_of(vmim) not in FINAL_PHASES}
    claims = cluster.pvc_access_modes()
    default_strategy = _configuration(kubevirt).get("evictionStrategy")
    instances = [_instance(vmi, claims, in_flight, default_strategy) for vmi in cluster.vmis(namespace)
                 if (vmi.get("status") or {}).get("nodeName") in node_names]
    return {"version": 1, "platform": "kubevirt", "settings": _settings(cluster, kubevirt, namespace),
            "hosts": [_host(node) for node in nodes], "instances": instances}


def _vmim_vmi(vmim):
    return vmi_key(vmim["metadata"]["namespace"], vmim["spec"]["vmiName"])


def _host(node):
    meta, spec, status = node["metadata"], node.get("spec") or {}, node.get("status") or {}
    labels = dict(meta.get("labels") or {})
    allocatable = status.get("allocatable") or {}
    ready = condition(node, "Ready")
    host = {"name": meta["name"], "vcpus": int(parse_quantity(str(allocatable.get("cpu", 0)))),
            "memory_mib": mebibytes(allocatable.get("memory")), "labels": labels,
            "state": "up" if ready is not None and ready.get("status") == "True" else "down",
            "schedulable": not spec.get("unschedulable") and labels.get(SCHEDULABLE_LABEL, "true") == "true",
            "cordoned": bool(spec.get("unschedulable"))}
    if labels.get("kubernetes.io/arch"):
        host["cpu_arch"] = labels["kubernetes.io/arch"]
    return host


def _instance(vmi, claims, in_flight, default_strategy):
    meta, spec, status = vmi["metadata"], vmi.get("spec") or {}, vmi.get("status") or {}
    key = vmi_key(meta["namespace"], meta["name"])
    domain = spec.get("domain") or {}
    cpu = domain.get("cpu") or {}
    requests = (domain.get("resources") or {}).get("requests") or {}
    memory = requests.get("memory") or (domain.get("memory") or {}).get("guest")
    state = status.get("migrationState") or {}
    migratable = condition(vmi, "LiveMigratable")
    instance = {
        "id": key, "name": meta["name"], "host": status["nodeName"], "status": status.get("phase") or "Unknown",
        "vcpus": max(1, int(cpu.get("cores") or 1) * int(cpu.get("sockets") or 1) * int(cpu.get("threads") or 1)),
        "memory_mib": mebibytes(memory),
        "cpu_model": cpu.get("model") or "host-model",
        "eviction_strategy": spec.get("evictionStrategy") or default_strategy,
        "storage_access_modes": [",".join(claims[(meta["namespace"], claim)])
                                 for claim in _claims(spec) if (meta["namespace"], claim) in claims],
        "migration_in_progress": key in in_flight or bool(state and not state.get("completed")),
        "namespace": meta["namespace"],
    }
    if migratable is not None:
        instance["live_migratable"] = {part: migratable.get(part) for part in ("status", "reason", "message")
                                       if migratable.get(part) is not None}
    return instance


def _claims(spec):
    """PVC names behind the VMI's volumes (a DataVolume's PVC has the DataVolume's name)."""
    names = []
    for volume in spec.get("volumes") or []:
        source = volume.get("persistentVolumeClaim") or volume.get("dataVolume") or {}
        name = source.get("claimName") or source.get("name")
        if name:
            names.append(name)
    return names


def _settings(cluster, kubevirt, namespace):
    config = cluster.migration_config(kubevirt)
    settings = {
        "parallel_migrations_per_cluster": int(config["parallelMigrationsPerCluster"]),
        "parallel_outbound_migrations_per_node": int(config["parallelOutboundMigrationsPerNode"]),
        "completion_timeout_s_per_gib": int(config["completionTimeoutPerGiB"]),
        "allow_post_copy": bool(config.get("allowPostCopy")),
        "migrate_authorized": cluster.may_migrate(namespace),
    }
    if config.get("network"):
        settings["migration_network"] = config["network"]
    bandwidth = mebibytes(config.get("bandwidthPerMigration"))
    if bandwidth > 0:
        settings["migration_bandwidth_mibps"] = bandwidth
    return settings


# -- the executor backend ---------------------------------------------------------------------

class KubeVirtBackend:
    """Executor backend: one VMIM per move. `move.instance` is `namespace/name`; `move.options`
    may carry `node_selector` (dict) and `labels` (added to the VMIM)."""

    def __init__(self, cluster):
        self.cluster = cluster

    def migrations(self, move):
        namespace, name = split_key(move.instance, None)
        return [self._handle(vmim) for vmim in self.cluster.vmims_of(namespace, name)]

    @staticmethod
    def _handle(vmim):
        phase = phase_of(vmim)
        if phase == "Succeeded":
            status = COMPLETED
        elif phase == "Failed":
            status = CANCELLED if condition(vmim, ABORT_CONDITION) else FAILED
        else:
            status = IN_PROGRESS
        state = (vmim.get("status") or {}).get("migrationState") or {}
        return Handle(id=vmim["metadata"]["name"], status=status, target=state.get("targetNode"),
                      data={"namespace": vmim["metadata"]["namespace"], "uid": vmim["metadata"].get("uid"),
                            "phase": phase})

    def start(self, move, target, unused_known_ids):  # VMIMs are named by the API server
        namespace, name = split_key(move.instance, None)
        selector = dict(move.options.get("node_selector") or {})
        if target:
            selector[HOSTNAME_LABEL] = target
        body = {"apiVersion": "%s/%s" % (GROUP, VERSION), "kind": "VirtualMachineInstanceMigration",
                "metadata": {"generateName": "%s-vmops-" % name[:40],
                             "labels": dict(move.options.get("labels") or {}, **{MANAGED_LABEL: MANAGED_BY})},
                "spec": {"vmiName": name}}
        if selector:
            body["spec"]["addedNodeSelector"] = selector
        try:
            return self._handle(self.cluster.create_vmim(namespace, body))
        except Exception as error:  # admission denials and conflicts become failure codes
            status = getattr(error, "status", None)
            if status in (400, 404, 409, 422):
                raise MigrationFailed(classify(error.message), error.message, target) from error
            raise

    def poll(self, move, handle):
        namespace = handle.data["namespace"]
        vmim = self.cluster.vmim(namespace, handle.id)
        if vmim is None:
            return self._vanished(move, handle)
        current = self._handle(vmim)
        progress = Progress(status=current.status, host=move.source, target=current.target)
        if current.status == COMPLETED:
            vmi = self.cluster.vmi(*split_key(move.instance, None))
            progress.host = ((vmi or {}).get("status") or {}).get("nodeName") or current.target
        elif current.status in (FAILED, CANCELLED):
            progress.failure = self._why(vmim, current)
        return progress

    def _why(self, vmim, handle):
        reason = ((vmim.get("status") or {}).get("migrationState") or {}).get("failureReason")
        if handle.status == CANCELLED:
            return Failure("ABORTED", "migration %s was cancelled%s" % (handle.id, ": " + reason if reason else ""))
        message = "migration %s failed: %s" % (handle.id, reason or "KubeVirt gave no reason")
        return Failure(classify(reason), message)

    def _vanished(self, move, handle):
        """Our VMIM is gone (deleted by someone, its finalizer released): the VMI says how it ended."""
        vmi = self.cluster.vmi(*split_key(move.instance, None))
        if vmi is None:
            raise MigrationFailed("SOURCE_DELETED", "VMI %s was deleted during the migration" % move.instance)
        status = vmi.get("status") or {}
        state = status.get("migrationState") or {}
        if state.get("migrationUid") == handle.data.get("uid") and state.get("completed"):
            if not state.get("failed"):
                return Progress(status=COMPLETED, host=status.get("nodeName"), target=state.get("targetNode"))
            ended = CANCELLED if state.get("abortStatus") == "Succeeded" else FAILED
            reason = state.get("failureReason") or ""
            code = "ABORTED" if ended == CANCELLED else classify(reason)
            return Progress(status=ended, host=move.source, target=state.get("targetNode"),
                            failure=Failure(code, "migration %s ended: %s" % (handle.id, reason or "no reason given")))
        raise MigrationFailed("ABORTED", "migration %s was deleted before it ended" % handle.id)

    def abort(self, unused_move, handle):
        self.cluster.delete_vmim(handle.data["namespace"], handle.id)

    def force_complete(self, unused_move, unused_handle):
        raise MigrationFailed("UNKNOWN", "KubeVirt has no force-complete of one migration (use allowPostCopy "
                                         "or allowAutoConverge in the migration configuration)")
