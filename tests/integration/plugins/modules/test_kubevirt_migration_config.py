"""kubevirt_migration_config and kubevirt_node against the kube twin."""
from kubernetes import client

from tests.integration.plugins.modules.kubevirt_runner import custom, run_module, twin  # noqa: F401 (fixtures)

HCO = ("hco.kubevirt.io", "v1beta1", "kubevirt-hyperconverged", "hyperconvergeds", "kubevirt-hyperconverged")


def test_reads_then_writes_through_the_hyperconverged_cr_idempotently(twin, custom):
    read = run_module("kubevirt_migration_config", twin)
    assert read["changed"] is False and read["config"]["parallelMigrationsPerCluster"] == 5, read
    assert read["source"].startswith("HyperConverged")
    planned = run_module("kubevirt_migration_config", twin, check_mode=True, diff=True, parallel_migrations_per_cluster=3)
    assert planned["changed"] is True and planned["diff"]["after"]["parallelMigrationsPerCluster"] == 3
    assert custom.get_namespaced_custom_object(*HCO)["spec"]["liveMigrationConfig"]["parallelMigrationsPerCluster"] == 5
    written = run_module("kubevirt_migration_config", twin, parallel_migrations_per_cluster=3, allow_post_copy=False)
    assert written["changed"] is True and written["changes"] == {"parallelMigrationsPerCluster": 3}, written
    assert written["config"]["parallelMigrationsPerCluster"] == 3  # HCO copied it into the KubeVirt CR
    again = run_module("kubevirt_migration_config", twin, parallel_migrations_per_cluster=3)
    assert again["changed"] is False


def test_node_cordon_is_idempotent_and_uncordon_respects_other_cordons(twin):
    core = client.CoreV1Api(twin.api_client())
    planned = run_module("kubevirt_node", twin, check_mode=True, name="node-02")
    assert planned["changed"] is True and not core.read_node("node-02").spec.unschedulable
    assert run_module("kubevirt_node", twin, name="node-02", reason="test")["changed"] is True
    node = core.read_node("node-02")
    assert node.spec.unschedulable is True and node.metadata.annotations["vmops.io/cordoned-by"] == "vmops.migration:test"
    assert run_module("kubevirt_node", twin, name="node-02")["changed"] is False
    assert run_module("kubevirt_node", twin, name="node-02", state="uncordoned")["changed"] is True
    node = core.read_node("node-02")
    assert not node.spec.unschedulable and "vmops.io/cordoned-by" not in (node.metadata.annotations or {})
    core.patch_node("node-03", {"spec": {"unschedulable": True}}, _content_type="application/merge-patch+json")
    kept = run_module("kubevirt_node", twin, name="node-03", state="uncordoned", only_ours=True)
    assert kept["changed"] is False and core.read_node("node-03").spec.unschedulable is True
