"""What the twin serves must match KubeVirt v1.6.6's OpenAPI spec (../shared/kubevirt/swagger.json).

Definitions are made strict (no properties beyond the spec's) so an invented or misspelt field
fails here rather than in front of a real cluster.
"""
import copy
import json
import os

import jsonschema
import pytest

from .conftest import GROUP, NS, VERSION, VMIMS, VMIS, migrate, wait_phase

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SWAGGER = os.path.join(ROOT, "..", "shared", "kubevirt", "swagger.json")


@pytest.fixture(scope="module")
def definitions():
    if not os.path.exists(SWAGGER):
        pytest.skip(f"KubeVirt OpenAPI spec not found at {SWAGGER}")
    with open(SWAGGER) as f:
        defs = copy.deepcopy(json.load(f)["definitions"])
    for schema in defs.values():
        if "properties" in schema and "additionalProperties" not in schema:
            schema["additionalProperties"] = False
    return defs


def check(definitions, name, obj):
    schema = {"$ref": f"#/definitions/{name}", "definitions": definitions}
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(obj), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def test_fleet_objects_match_the_spec(custom, definitions):
    for plural, name in (("virtualmachineinstances", "v1.VirtualMachineInstance"),
                         ("virtualmachines", "v1.VirtualMachine")):
        for obj in custom.list_cluster_custom_object(GROUP, VERSION, plural)["items"]:
            check(definitions, name, obj)
    for kv in custom.list_cluster_custom_object(GROUP, VERSION, "kubevirts")["items"]:
        check(definitions, "v1.KubeVirt", kv)


def test_migrations_and_migrated_vmis_match_the_spec(custom, twin, definitions):
    done = migrate(custom, "vm-01-01")
    done = wait_phase(custom, done["metadata"]["name"], "Succeeded")
    twin.fail_next_migration(NS, "vm-02-01")
    failed = migrate(custom, "vm-02-01")
    failed = wait_phase(custom, failed["metadata"]["name"], "Failed")
    twin.set_dirty_rate(NS, "vm-03-01", 5000)
    running = migrate(custom, "vm-03-01")
    running = wait_phase(custom, running["metadata"]["name"], "Running")
    for vmim in (done, failed, running):
        check(definitions, "v1.VirtualMachineInstanceMigration", vmim)
    for vmi in ("vm-01-01", "vm-02-01", "vm-03-01"):
        check(definitions, "v1.VirtualMachineInstance",
              custom.get_namespaced_custom_object(GROUP, VERSION, NS, VMIS, vmi))
    custom.delete_namespaced_custom_object(GROUP, VERSION, NS, VMIMS, running["metadata"]["name"])


def test_migration_policy_round_trip_matches_the_spec(custom, definitions):
    policy = custom.create_cluster_custom_object("migrations.kubevirt.io", "v1alpha1",
                                                 "migrationpolicies", {
        "apiVersion": "migrations.kubevirt.io/v1alpha1", "kind": "MigrationPolicy",
        "metadata": {"name": "slow-lane"},
        "spec": {"allowAutoConverge": True, "bandwidthPerMigration": "64Mi",
                 "completionTimeoutPerGiB": 300,
                 "selectors": {"virtualMachineInstanceSelector": {"workload": "db"}}}})
    check(definitions, "v1alpha1.MigrationPolicy", policy)


def test_the_check_is_strict(custom, definitions):
    vmi = custom.get_namespaced_custom_object(GROUP, VERSION, NS, VMIS, "vm-01-01")
    vmi["status"]["migrationState"] = {"targetNode": "node-02", "inventedField": True}
    with pytest.raises(AssertionError, match="inventedField"):
        check(definitions, "v1.VirtualMachineInstance", vmi)
