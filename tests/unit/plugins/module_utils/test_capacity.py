import pytest

from ansible_collections.vmops.migration.plugins.module_utils.capacity import Capacity, hugepage_size_kib
from tests.unit.clusters import cluster, host, instance, snapshot


def test_placement_formula_total_minus_reserved_times_ratio():
    snap = snapshot([host("h", vcpus=10, cpu_allocation_ratio=4.0, memory_mib=10000, reserved_memory_mib=1000,
                          ram_allocation_ratio=1.5, disk_gib=100, disk_allocation_ratio=2.0)], [])
    free = Capacity(snap)["h"]
    assert (free.vcpu, free.ram, free.disk) == (40.0, 13500.0, 200.0)


def test_existing_guests_consume_and_local_disk_only_when_not_shared():
    snap = snapshot([host("h", vcpus=8, memory_mib=16384, disk_gib=100)],
                    [instance("a", "h", vcpus=2, memory_mib=4096, disk_gib=30, shared_storage=False),
                     instance("b", "h", vcpus=1, memory_mib=1024, disk_gib=30, shared_storage=True)])
    free = Capacity(snap)["h"]
    assert (free.vcpu, free.ram, free.disk) == (5, 11264, 70)


def test_move_consumes_target_and_frees_source():
    snap = cluster("3 hosts, 9 plain guests")
    capacity = Capacity(snap)
    guest = snap.instance_by_id["vm-0"]
    before_source, before_target = capacity["compute-0"].ram, capacity["compute-1"].ram
    capacity.move(guest, "compute-0", "compute-1")
    assert capacity["compute-0"].ram == before_source + guest.memory_mib
    assert capacity["compute-1"].ram == before_target - guest.memory_mib


@pytest.mark.parametrize("need, free, short", [
    ({"memory_mib": 8192}, {"memory_mib": 8192}, set()),
    ({"memory_mib": 8193}, {"memory_mib": 8192}, {"ram"}),
    ({"vcpus": 5}, {"vcpus": 4}, {"vcpu"}),
    ({"disk_gib": 11, "shared_storage": False}, {"disk_gib": 10}, {"disk"}),
])
def test_shortfalls(need, free, short):
    snap = snapshot([host("src"), host("dst", **free)], [instance("i", "src", **dict({"vcpus": 1, "memory_mib": 1, "disk_gib": 0}, **need))])
    assert set(Capacity(snap).shortfalls(snap.instances[0], "dst")) == short


def test_numa_fit_pins_cpus_and_consumes_the_chosen_node():
    snap = cluster("4 hosts, one NUMA-pinned guest")
    capacity = Capacity(snap)
    pinned = snap.instance_by_id["pinned"]
    assert capacity.numa_fit(pinned, "compute-1") is not None
    capacity.move(pinned, "compute-0", "compute-1")
    pinned_free = sorted(node.pinned_cpus for node in capacity["compute-1"].numa)
    assert pinned_free == [4, 8]


def test_numa_fit_none_when_no_node_has_enough_pinned_cpus():
    numa = [{"id": 0, "cpus": 8, "memory_mib": 65536, "pinned_cpus_free": 2}]
    snap = snapshot([host("a"), host("b", numa_nodes=numa)], [instance("p", "a", cpu_policy="dedicated", vcpus=4)])
    assert Capacity(snap).numa_fit(snap.instances[0], "b") is None


@pytest.mark.parametrize("pages_free, fits", [(2048, True), (2047, False)])
def test_hugepages_need_enough_free_pages(pages_free, fits):
    numa = [{"id": 0, "cpus": 8, "memory_mib": 65536, "hugepages_free": {"2048": pages_free}}]
    snap = snapshot([host("a"), host("b", numa_nodes=numa)], [instance("p", "a", hugepages="2MB", memory_mib=4096)])
    assert (Capacity(snap).numa_fit(snap.instances[0], "b") is not None) is fits


@pytest.mark.parametrize("request_, kib", [("2MB", 2048), ("1GB", 1048576), ("2048", 2048), ("large", None), ("small", 4), ("1G", 1048576)])
def test_hugepage_sizes(request_, kib):
    assert hugepage_size_kib(request_) == kib
