"""What no refused call may change in a twin: the state compared before and after it."""
from kubernetes import client

from tests.integration.plugins.modules import kubevirt_runner
from tests.integration.plugins.modules.kubevirt_runner import GROUP, VERSION


def nova_state(nova):
    """Servers' host/status/task state, services' status/disabled reason/forced down, the migration
    records and the live-migrate POSTs per server of a Nova twin (tests.fixtures.nova_twin.NovaTwin)."""
    compute = nova.conn.compute
    return {
        "servers": {s.name: (s.compute_host, s.status, s.task_state) for s in compute.servers(all_projects=True)},
        "services": {s.host: (s.status, s.disabled_reason, s.is_forced_down) for s in compute.services()},
        "migrations": sorted((m.id, m.status) for m in compute.migrations()),
        "live_migrate_posts": nova.control.status()["live_migrate_posts"],
    }


def kube_state(kube):
    """VMIs' nodes, the migration objects, nodes' schedulability and annotations and KubeVirt's
    migration configuration of a KubeVirt twin (tests.fixtures.kube_twin.KubeTwin)."""
    custom, core = client.CustomObjectsApi(kube.api_client()), client.CoreV1Api(kube.api_client())
    vmis = custom.list_cluster_custom_object(GROUP, VERSION, "virtualmachineinstances")["items"]
    kubevirt = custom.list_cluster_custom_object(GROUP, VERSION, "kubevirts")["items"]
    return {
        "vmis": {vmi["metadata"]["name"]: vmi["status"].get("nodeName") for vmi in vmis},
        "migrations": len(kubevirt_runner.vmims(custom)),
        "nodes": {node.metadata.name: (bool(node.spec.unschedulable), node.metadata.annotations)
                  for node in core.list_node().items},
        "config": [item["spec"].get("configuration", {}).get("migrations") for item in kubevirt],
    }
