# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a guest really sits on its host's NUMA nodes, read from its libvirt domain XML.

The guides warn that a NUMA instance can land after a live migration with its vCPUs, memory or
NIC on other NUMA nodes and lose performance without any error. This reads the placement from
the domain XML (`virsh dumpxml`, or libvirt's status file `/run/libvirt/qemu/<name>.xml`) and the
host's sysfs (CPU lists per node, NIC -> node), and compares the placement before the move (on
the source) with the one after it (on the target). Standard library only; nothing here writes.
"""

from __future__ import annotations

from xml.etree import ElementTree

from ansible_collections.vmops.migration.plugins.module_utils.host_config import (
    cpu_set_or_none, nic_numa_nodes, numa_nodes, read_text,
)
from ansible_collections.vmops.migration.plugins.module_utils.snapshot import parse_snapshot

# Where libvirt keeps a running domain's XML (inside <domstatus>); TripleO shares it with the host.
LIBVIRT_STATUS_DIR = "/run/libvirt/qemu"


class DomainXmlError(ValueError):
    """The text is not a libvirt domain."""


def parse_domain(text):
    """The parts of a domain XML that decide NUMA placement.

    Returns {name, vcpu_pins: {vcpu: [host cpus]}, memory_nodes: [host nodes] or None,
    interfaces: [host NIC names the guest's interfaces sit on]}. A <domstatus> file is unwrapped.
    """
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as error:
        raise DomainXmlError("not XML: %s" % error) from None
    domain = root if root.tag == "domain" else root.find("domain")
    if domain is None:
        raise DomainXmlError("no <domain> element (found <%s>)" % root.tag)
    return {
        "name": domain.findtext("name"),
        "vcpu_pins": _vcpu_pins(domain),
        "memory_nodes": _memory_nodes(domain),
        "interfaces": _interface_devices(domain),
    }


def _vcpu_pins(domain):
    pins = {}
    for pin in domain.findall("cputune/vcpupin"):
        cpus = cpu_set_or_none(pin.get("cpuset"))
        if pin.get("vcpu", "").isdigit() and cpus is not None:
            pins[int(pin.get("vcpu"))] = cpus
    return pins


def _memory_nodes(domain):
    memory = domain.find("numatune/memory")
    nodes = set(cpu_set_or_none(memory.get("nodeset")) or []) if memory is not None else set()
    for cell in domain.findall("numatune/memnode"):
        nodes.update(cpu_set_or_none(cell.get("nodeset")) or [])
    return sorted(nodes) or None


def _interface_devices(domain):
    """Host NICs under the guest's interfaces: macvtap/direct sources and the devices OVS names."""
    devices = []
    for interface in domain.findall("devices/interface"):
        source = interface.find("source")
        device = source.get("dev") if source is not None else None
        if device and device not in devices:
            devices.append(device)
    return devices


def placement(domain, numa_nodes, nic_numa_nodes):
    """The guest's placement in host NUMA node terms.

    `numa_nodes` and `nic_numa_nodes` are the host's, as nova_host_config_facts returns them.
    vcpu_nodes: the host nodes of the CPUs each pinned vCPU may run on; nic_nodes: NIC -> node
    (None when sysfs does not say, or the NIC is not a physical one of this host).
    """
    node_of_cpu = {cpu: node["id"] for node in numa_nodes or [] for cpu in node.get("cpu_list") or []}
    vcpu_nodes = {vcpu: sorted({node_of_cpu[cpu] for cpu in cpus if cpu in node_of_cpu})
                  for vcpu, cpus in sorted(domain["vcpu_pins"].items())}
    return {
        "name": domain["name"],
        "vcpu_nodes": vcpu_nodes,
        "memory_nodes": domain["memory_nodes"],
        "nic_nodes": {nic: (nic_numa_nodes or {}).get(nic) for nic in domain["interfaces"]},
    }


def differences(before, after):
    """What got worse from `before` (on the source) to `after` (on the target), one line each.

    Node numbers may change with the host; what counts is the shape: how many nodes the vCPUs
    span, whether memory sits on the vCPUs' nodes, and whether each NIC sits on one of them.
    """
    problems = []
    spans = _span(before), _span(after)
    if len(spans[0]) != len(spans[1]):
        problems.append("vCPUs span %d NUMA node(s) %s, on the source %d %s"
                        % (len(spans[1]), _nodes(spans[1]), len(spans[0]), _nodes(spans[0])))
    if _memory_local(before) and not _memory_local(after):
        problems.append("memory on NUMA node(s) %s, away from the vCPUs on %s"
                        % (_nodes(after["memory_nodes"]), _nodes(spans[1])))
    for nic, node in sorted(after["nic_nodes"].items()):
        was_local = _nic_local(before, before["nic_nodes"].get(nic))
        if was_local and not _nic_local(after, node):
            problems.append("NIC %s on NUMA node %s, away from the vCPUs on %s" % (nic, _node(node), _nodes(spans[1])))
    return problems


def _span(place):
    return sorted({node for nodes in place["vcpu_nodes"].values() for node in nodes})


def _memory_local(place):
    memory = place["memory_nodes"]
    return memory is None or not _span(place) or set(memory) <= set(_span(place))


def _nic_local(place, node):
    return node is None or not _span(place) or node in _span(place)


def _nodes(nodes):
    return ",".join(str(node) for node in nodes) if nodes else "(none)"


def _node(node):
    return "?" if node is None else str(node)


# --- the module --------------------------------------------------------------------------

def dumpxml_command(params):
    """virsh dumpxml of the instance, inside the libvirt container when one is named."""
    virsh = ["virsh", "dumpxml", params["instance_name"]]
    if not params["container"]:
        return virsh
    return [params["container_cli"], "exec", params["container"]] + virsh


def read_domain_text(module):
    """The domain XML: libvirt's status file below a root other than '/', else `virsh dumpxml`."""
    params = module.params
    if params["root"] != "/":
        path = "%s/%s.xml" % (LIBVIRT_STATUS_DIR, params["instance_name"])
        text = read_text(params["root"], path)
        if text is None:
            module.fail_json(msg="instance_name: no domain XML at %s below root %s" % (path, params["root"]))
        return text
    rc, out, err = module.run_command(dumpxml_command(params))
    if rc != 0:
        module.fail_json(msg="instance_name: %s failed: %s" % (" ".join(dumpxml_command(params)), (err or out).strip()))
    return out


def guest_placement_facts(module):
    """What nova_guest_placement_facts returns, from its parameters."""
    params = module.params
    try:
        domain = parse_domain(read_domain_text(module))
    except DomainXmlError as error:
        module.fail_json(msg="instance_name: the domain XML of %s cannot be read: %s" % (params["instance_name"], error))
    found = placement(domain, numa_nodes(params["root"]), nic_numa_nodes(params["root"]))
    result = {"placement": found}
    if params["compare_to"] is not None:
        result["differences"] = differences(params["compare_to"], found)
        result["numa_topology_differs"] = bool(result["differences"])
    return result


# --- which guests to check, and what the checks found ----------------------------------------

def placement_checks(plan, snapshot, computes, results=None, before=None):
    """The moves of NUMA-bound guests to read placement for, with the inventory host to read it on.

    Before the run (`results` None): each live or cold move whose source and target both have
    host facts, read on its source. After it: those that ended on a host and whose placement was
    read before (`before`: the looped module results on the sources), read there and compared
    (`compare_to`). `computes` maps inventory host -> hypervisor (run_plan's host_facts tasks).
    Returns [{instance, name, instance_name, host (inventory), hypervisor[, compare_to]}].
    """
    inventory_of = {hypervisor: inventory for inventory, hypervisor in computes.items()}
    hosts = {host["name"]: host for host in snapshot.get("hosts", [])}
    instances = {instance.id: instance for instance in parse_snapshot(snapshot).instances}
    landed = {result["instance"]: result.get("target") for result in results or []
              if result.get("status") in ("completed", "force_completed")}
    placed_before = {result["item"]["instance"]: result["placement"] for result in before or [] if "placement" in result}
    checks = []
    for move in plan["moves"]:
        instance = instances.get(move["instance"])
        if instance is None or not instance.numa_bound or move["type"] not in ("live", "cold"):
            continue
        if not all(hosts.get(name, {}).get("host_facts_gathered") and name in inventory_of
                   for name in (move["source"], move["target"])):
            continue
        check = {"instance": instance.id, "name": instance.name, "instance_name": instance.extra.get("instance_name")}
        if results is None:
            check.update(host=inventory_of[move["source"]], hypervisor=move["source"])
        elif landed.get(instance.id) in inventory_of and instance.id in placed_before:
            check.update(host=inventory_of[landed[instance.id]], hypervisor=landed[instance.id],
                         compare_to=placed_before[instance.id])
        else:
            continue
        if check["instance_name"]:
            checks.append(check)
    return checks


def numa_findings(after_results):
    """NUMA_TOPOLOGY_DIFFERS reasons from the looped module results on the targets (item = a check)."""
    findings = []
    for result in after_results:
        if result.get("numa_topology_differs"):
            check = result["item"]
            message = "%s on %s after the move: %s" % (check.get("name") or check["instance"], check["hypervisor"],
                                                       "; ".join(result["differences"]))
            findings.append({"instance": check["instance"], "code": "NUMA_TOPOLOGY_DIFFERS", "severity": "warn",
                             "target": check["hypervisor"], "message": message})
    return findings
