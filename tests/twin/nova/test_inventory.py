"""The twin looks like a Nova cloud to openstacksdk: hypervisors, services, Placement facts."""


def test_hypervisors_report_cpu_info_and_shape(nova_twin):
    # cpu_info and the sizes left the hypervisor API at 2.88; facts must ask for 2.87 or less.
    response = nova_twin.conn.compute.get("/os-hypervisors/detail", microversion="2.87")
    hypervisors = response.json()["hypervisors"]
    assert sorted(h["hypervisor_hostname"] for h in hypervisors) == sorted(nova_twin.hosts)
    for hypervisor in hypervisors:
        cpu = hypervisor["cpu_info"]  # an object since 2.28
        assert cpu["model"] == "Cascadelake-Server" and cpu["vendor"] == "Intel"
        assert "avx2" in cpu["features"] and cpu["topology"]["sockets"] == 2
        assert hypervisor["vcpus"] == 64 and hypervisor["memory_mb"] == 262144
        assert hypervisor["status"] == "enabled" and hypervisor["state"] == "up"


def test_compute_services_are_up(nova_twin):
    services = list(nova_twin.conn.compute.services(binary="nova-compute"))
    assert sorted(s.host for s in services) == sorted(nova_twin.hosts)
    assert all(s.state == "up" and s.status == "enabled" for s in services)


def test_placement_has_inventory_and_cpu_traits(nova_twin):
    placement = nova_twin.conn.placement
    providers = {p.name: p for p in placement.resource_providers()}
    assert set(nova_twin.hosts) <= set(providers)
    provider = providers[nova_twin.hosts[0]]
    inventories = {i.resource_class: i.total for i in placement.resource_provider_inventories(provider)}
    assert inventories["VCPU"] == 64 and inventories["MEMORY_MB"] == 262144 and inventories["DISK_GB"] == 2000
    traits = placement.get("/resource_providers/%s/traits" % provider.id, microversion="1.6").json()["traits"]
    assert {"HW_CPU_X86_AVX2", "CUSTOM_CPU_MODEL_CASCADELAKE_SERVER", "CUSTOM_CPU_VENDOR_INTEL"} <= set(traits)


def test_seed_servers_spread_over_hosts_in_order(nova_twin):
    # Tests that move servers boot their own, so the seed stays where it was booted.
    servers = {s.name: s for s in nova_twin.conn.compute.servers(all_projects=True) if s.name.startswith("vm-")}
    assert len(servers) == 8
    assert {name: s.compute_host for name, s in servers.items()} == {
        "vm-%03d" % i: nova_twin.hosts[i % len(nova_twin.hosts)] for i in range(8)}
    flavors = {s.name: s.flavor.name for s in servers.values()}
    assert flavors["vm-005"] == "t1.pinned" and flavors["vm-002"] == "t1.volume"


def test_status_reports_rss_hosts_and_counters(nova_twin):
    status = nova_twin.control.status()
    assert 50 < status["rss_mb"] < 1024
    assert set(status["hosts"]) >= set(nova_twin.hosts)
    assert {"live_migrations", "live_migrate_posts", "time_factor"} <= set(status)
