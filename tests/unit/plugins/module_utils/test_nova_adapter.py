"""The adapter's host listing: servers/detail JSON read into the attributes the moves need."""
import json
from types import SimpleNamespace

import requests

from ansible_collections.vmops.migration.plugins.module_utils.nova_adapter import ListedServer, NovaBackend, flavor_size
from ansible_collections.vmops.migration.plugins.module_utils.nova_facts import FACTS_MICROVERSION


def entry(name, host, **extra):
    return dict({"id": "id-" + name, "name": name, "OS-EXT-SRV-ATTR:host": host, "status": "ACTIVE",
                 "OS-EXT-STS:task_state": None, "OS-EXT-STS:vm_state": "active",
                 "flavor": {"ram": 2048, "disk": 20, "ephemeral": 5}, "metadata": {"HA_Enabled": "true"},
                 "addresses": {"private": [{"addr": "10.0.0.5"}]}}, **extra)


class Compute:
    """servers/detail in pages of two, as Nova pages with a `servers_links` next link."""

    def __init__(self, servers):
        self.servers = servers
        self.asked = []

    def get(self, path, microversion=None, params=None):
        self.asked.append((path, microversion, dict(params)))
        start = int(params.get("marker", 0))
        body = {"servers": self.servers[start:start + 2]}
        if start + 2 < len(self.servers):
            body["servers_links"] = [{"rel": "next", "href": "http://nova/servers/detail?marker=%d" % (start + 2)}]
        answer = requests.Response()
        answer.status_code, answer._content = 200, json.dumps(body).encode()
        return answer


def test_a_listed_server_has_the_sdk_servers_attributes():
    server = ListedServer.from_json(entry("vm-1", "compute-1", **{"OS-EXT-STS:task_state": "migrating"}))
    assert (server.id, server.name, server.compute_host, server.status, server.task_state, server.vm_state) == (
        "id-vm-1", "vm-1", "compute-1", "ACTIVE", "migrating", "active")
    assert server.metadata == {"HA_Enabled": "true"} and server.addresses == {"private": [{"addr": "10.0.0.5"}]}
    assert flavor_size(server) == (2048, 25.0)


def test_missing_or_null_maps_read_as_empty():
    server = ListedServer.from_json({"id": "id-x", "flavor": None, "metadata": None})
    assert (server.flavor, server.metadata, server.addresses, server.compute_host) == ({}, {}, {}, None)
    assert flavor_size(server) == (None, 0.0)


def test_servers_on_reads_every_page_and_keeps_only_the_hosts_own_servers_by_name():
    compute = Compute([entry("vm-c", "compute-1"), entry("vm-a", "compute-1"), entry("vm-b", "compute-10"),
                       entry("vm-d", "compute-1")])
    servers = NovaBackend(SimpleNamespace(compute=compute)).servers_on("compute-1")
    assert [server.name for server in servers] == ["vm-a", "vm-c", "vm-d"]
    assert [params.get("marker") for unused_path, unused_mv, params in compute.asked] == [None, "2"]
    assert all(path == "/servers/detail" and microversion == FACTS_MICROVERSION and params["host"] == "compute-1"
               and params["all_tenants"] == 1 for path, microversion, params in compute.asked)
