"""nova_cluster_facts against the Nova twin: the snapshot follows the contract and matches the API."""
import json
import os
import time

import jsonschema
import pytest

from tests.integration.plugins.modules.nova_module_runner import ROOT, run_module


IMAGE_ID = "155d900f-4e14-4e4c-a73d-069cbf4541e6"


@pytest.fixture(scope="module")
def conn(nova_twin):
    return nova_twin.connect()


@pytest.fixture(scope="module")
def pinned_server(conn):
    """A server of a flavor with hw:cpu_policy=dedicated, booted when the twin has none."""
    for server in conn.compute.servers(details=True, all_projects=True):
        if (server.flavor.get("extra_specs") or {}).get("hw:cpu_policy") == "dedicated":
            yield server.id
            return
    flavor = next(f for f in conn.compute.flavors(details=True)
                  if (conn.compute.fetch_flavor_extra_specs(f).extra_specs or {}).get("hw:cpu_policy") == "dedicated")
    server = conn.compute.create_server(name="facts-pinned", flavor_id=flavor.id, image_id=IMAGE_ID, networks="none")
    conn.compute.wait_for_server(server, wait=60)
    yield server.id
    conn.compute.delete_server(server)


@pytest.fixture(scope="module")
def stopped_server(conn):
    """A SHUTOFF server, stopped here when the twin has none (and started again afterwards)."""
    servers = list(conn.compute.servers(all_projects=True))
    stopped = [server for server in servers if server.status == "SHUTOFF"]
    if stopped:
        yield stopped[0].id
        return
    server = next(server for server in servers if server.status == "ACTIVE")
    conn.compute.stop_server(server)
    conn.compute.wait_for_server(server, status="SHUTOFF", wait=60)
    yield server.id
    conn.compute.start_server(server)
    conn.compute.wait_for_server(server, status="ACTIVE", wait=60)


@pytest.fixture(scope="module")
def facts(nova_twin, pinned_server, stopped_server):
    started = time.monotonic()
    result = run_module("nova_cluster_facts", nova_twin, check_mode=True)
    assert not result.get("failed"), result
    result["elapsed_s"] = time.monotonic() - started
    return result


def test_snapshot_follows_the_contract(facts):
    with open(os.path.join(ROOT, "contracts", "snapshot.schema.json"), encoding="utf-8") as f:
        jsonschema.validate(facts["snapshot"], json.load(f))
    assert facts["changed"] is False


def test_hosts_and_servers_match_the_api(facts, conn):
    services = {service.host for service in conn.compute.services(binary="nova-compute")}
    servers = {server.id: server for server in conn.compute.servers(details=True, all_projects=True)}
    snapshot = facts["snapshot"]
    assert {host["name"] for host in snapshot["hosts"]} == services
    assert {instance["id"] for instance in snapshot["instances"]} == set(servers)
    for instance in snapshot["instances"]:
        assert instance["host"] == servers[instance["id"]].compute_host
        assert instance["memory_mib"] == servers[instance["id"]].flavor["ram"]


def test_host_facts_come_from_hypervisors_and_placement(facts):
    host = facts["snapshot"]["hosts"][0]
    assert host["vcpus"] > 0 and host["memory_mib"] > 0
    assert host["cpu_arch"] and host["cpu_model"] and host["cpu_features"]
    assert "COMPUTE_NODE" in host["traits"]
    assert host["cpu_allocation_ratio"] > 0


def test_stopped_server_shows_as_shutoff(facts, stopped_server):
    instance = next(i for i in facts["snapshot"]["instances"] if i["id"] == stopped_server)
    assert instance["status"] == "SHUTOFF"


def test_pinned_flavor_gives_dedicated_cpu_policy(facts, pinned_server):
    instance = next(i for i in facts["snapshot"]["instances"] if i["id"] == pinned_server)
    assert instance["cpu_policy"] == "dedicated"


def test_only_wanted_hosts_with_bandwidth(nova_twin, facts):
    name = facts["snapshot"]["hosts"][-1]["name"]
    result = run_module("nova_cluster_facts", nova_twin, hosts=[name], gather_ports=False,
                        host_migration_bandwidth_mibps={name: 1234})
    assert [host["name"] for host in result["snapshot"]["hosts"]] == [name]
    assert result["snapshot"]["hosts"][0]["migration_bandwidth_mibps"] == 1234
    assert all(instance["host"] == name for instance in result["snapshot"]["instances"])


def test_unknown_host_fails_clearly(nova_twin):
    result = run_module("nova_cluster_facts", nova_twin, hosts=["no-such-compute"])
    assert result["failed"] and "no-such-compute" in result["msg"]
