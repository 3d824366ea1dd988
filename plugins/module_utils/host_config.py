# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Host-level facts that the Nova and placement APIs do not show.

Reads nova.conf from the TripleO container config tree and NUMA / NIC layout from sysfs,
always below a ``root`` directory so that tests (and what-if runs on a copied tree) use the
same code as the field. Standard library only. Nothing here writes anything.

Missing files and options give ``None``: a constraint that needs a value that was not found
reports HOST_FACTS_MISSING instead of guessing. Nova's own defaults are therefore *not* filled
in here; the constraint code decides what an unset option means.
"""
from __future__ import annotations

import configparser
import copy
import glob
import os

COMPUTE_NOVA_CONF = "/var/lib/config-data/puppet-generated/nova_libvirt/etc/nova/nova.conf"
CONTROLLER_NOVA_CONF = "/var/lib/config-data/puppet-generated/nova/etc/nova/nova.conf"
FALLBACK_NOVA_CONF = "/etc/nova/nova.conf"
DEFAULT_NOVA_CONF_PATHS = [COMPUTE_NOVA_CONF, CONTROLLER_NOVA_CONF, FALLBACK_NOVA_CONF]

# TripleO's ML2/OVS agent config; on OVS-DPDK computes its bridges use the netdev datapath.
OVS_AGENT_INI = "/var/lib/config-data/puppet-generated/neutron/etc/neutron/plugins/ml2/openvswitch_agent.ini"

ROLES = ("auto", "compute", "controller")

# oslo.config's spelling of booleans (case-insensitive).
_TRUE = frozenset(("1", "t", "true", "on", "y", "yes"))
_FALSE = frozenset(("0", "f", "false", "off", "n", "no"))

# ovs-vsctl other_config:dpdk-init: "try" initialises DPDK too (and carries on if it fails).
_DPDK_INIT_ON = frozenset(("true", "try"))


# --- small value parsers -------------------------------------------------------------------

def parse_cpu_set(spec):
    """Parse a Nova CPU set string ('0-3,8-11,^2') into a sorted list of CPU ids.

    Same grammar as nova.conf cpu_shared_set / cpu_dedicated_set and sysfs cpulist:
    comma-separated ids and ranges, '^' excludes an id or range. Exclusions apply after all
    inclusions, wherever they appear. Raises ValueError on malformed input.
    """
    if spec is None:
        raise ValueError("no CPU set given")
    include, exclude = set(), set()
    for raw in str(spec).split(","):
        part = raw.strip()
        if not part:
            continue
        target = include
        if part.startswith("^"):
            target, part = exclude, part[1:].strip()
        target.update(_cpu_range(part, spec))
    return sorted(include - exclude)


def _cpu_range(part, spec):
    first, sep, last = part.partition("-")
    try:
        start = int(first.strip())
        end = int(last.strip()) if sep else start
    except ValueError:
        raise ValueError("invalid CPU set %r: bad element %r" % (spec, part)) from None
    if start < 0 or end < start:
        raise ValueError("invalid CPU set %r: bad range %r" % (spec, part))
    return range(start, end + 1)


def cpu_set_or_none(spec):
    """parse_cpu_set for facts: None when the spec is missing or malformed."""
    try:
        return parse_cpu_set(spec)
    except ValueError:
        return None


def parse_bool(value):
    """oslo.config boolean, or None when unset or not a boolean."""
    if value is None:
        return None
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def parse_int(value):
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None


def parse_list(value):
    """oslo.config ListOpt: comma-separated, blanks dropped. None when unset."""
    if value is None:
        return None
    return [item.strip() for item in value.split(",") if item.strip()]


# --- files under root ----------------------------------------------------------------------

def under(root, path):
    """Absolute `path` re-rooted below `root` ('/' leaves it as it is)."""
    return os.path.join(root, path.lstrip("/"))


def read_text(root, path):
    """File content stripped, or None when it cannot be read."""
    try:
        with open(under(root, path), encoding="utf-8", errors="replace") as handle:
            return handle.read().strip()
    except OSError:
        return None


def load_ini(root, path):
    """A ConfigParser for an oslo-style ini file, or None when it is missing or unreadable.

    Interpolation is off ('%' appears in real values), duplicate keys and sections are
    tolerated (the last value wins, as in oslo.config), and '[DEFAULT]' is an ordinary section
    so its options do not leak into every other section.
    """
    parser = configparser.ConfigParser(
        interpolation=None, strict=False, default_section="\0none", inline_comment_prefixes=None
    )
    parser.optionxform = str  # option names are case-sensitive in oslo.config
    try:
        with open(under(root, path), encoding="utf-8", errors="replace") as handle:
            parser.read_file(handle)
    except (OSError, configparser.Error):
        return None
    return parser


def ini_get(parser, section, option):
    """Raw option value, or None when the file, section or option is missing."""
    if parser is None or not parser.has_section(section):
        return None
    return parser.get(section, option, fallback=None)


def find_nova_conf(root, paths):
    """First path in `paths` that exists below root, or None."""
    for path in paths:
        if os.path.isfile(under(root, path)):
            return path
    return None


def resolve_role(role, conf_path):
    """auto: the TripleO controller config tree means controller, anything else compute."""
    if role != "auto":
        return role
    if conf_path is not None and conf_path.rstrip("/") == CONTROLLER_NOVA_CONF:
        return "controller"
    return "compute"


# --- nova.conf -----------------------------------------------------------------------------

def numa_live_migration(parser):
    """[workarounds] enable_numa_live_migration as set, else None.

    Nova added the option (default False) when NUMA-aware live migration was still unsafe,
    deprecated it in Train (20.0.0) where a fully upgraded cloud live-migrates NUMA guests
    correctly, and later releases drop it. TripleO writes it from NovaEnableNUMALiveMigration.
    Whether an unset option means "off" depends on the release, which nova.conf does not say,
    so unset gives None and the constraint combines it with the compute service version.
    """
    return parse_bool(ini_get(parser, "workarounds", "enable_numa_live_migration"))


def cpu_models(parser):
    """[libvirt] cpu_models; older releases spell it cpu_model (one model)."""
    value = ini_get(parser, "libvirt", "cpu_models")
    if value is None:
        value = ini_get(parser, "libvirt", "cpu_model")
    return parse_list(value) or []


def live_migration_settings(parser):
    """The [libvirt] live-migration tunables, or None when nova.conf was not found."""
    if parser is None:
        return None
    return {
        "permit_post_copy": parse_bool(ini_get(parser, "libvirt", "live_migration_permit_post_copy")),
        "permit_auto_converge": parse_bool(ini_get(parser, "libvirt", "live_migration_permit_auto_converge")),
        "completion_timeout": parse_int(ini_get(parser, "libvirt", "live_migration_completion_timeout")),
        "timeout_action": ini_get(parser, "libvirt", "live_migration_timeout_action"),
        "bandwidth": parse_int(ini_get(parser, "libvirt", "live_migration_bandwidth")),
    }


def compute_conf_facts(parser):
    """Host fields read from a compute's nova.conf (all None/empty without one)."""
    return {
        "cpu_shared_set": ini_get(parser, "compute", "cpu_shared_set"),
        "cpu_dedicated_set": ini_get(parser, "compute", "cpu_dedicated_set"),
        "numa_live_migration": numa_live_migration(parser),
        "max_concurrent_live_migrations": parse_int(ini_get(parser, "DEFAULT", "max_concurrent_live_migrations")),
        "cpu_mode": ini_get(parser, "libvirt", "cpu_mode"),
        "cpu_models": cpu_models(parser),
        "live_migration": live_migration_settings(parser),
    }


def scheduler_filters(parser):
    """[filter_scheduler] enabled_filters; before Rocky it was [DEFAULT] scheduler_default_filters."""
    value = ini_get(parser, "filter_scheduler", "enabled_filters")
    if value is None:
        value = ini_get(parser, "DEFAULT", "scheduler_default_filters")
    return parse_list(value)


# --- sysfs ---------------------------------------------------------------------------------

SYS_NODES = "/sys/devices/system/node"
SYS_NET = "/sys/class/net"


def _node_ids(root):
    ids = []
    for path in glob.glob(os.path.join(under(root, SYS_NODES), "node*")):
        suffix = os.path.basename(path)[len("node"):]
        if suffix.isdigit():
            ids.append(int(suffix))
    return sorted(ids)


def _node_memory_mib(root, node_dir):
    """MemTotal from the node's meminfo ('Node 0 MemTotal:  65536000 kB')."""
    text = read_text(root, node_dir + "/meminfo") or ""
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 4 and fields[2] == "MemTotal:":
            kib = parse_int(fields[3])
            return None if kib is None else kib // 1024
    return None


def _node_hugepages(root, node_dir):
    """({page KiB: free pages}, {page KiB: total pages}) from hugepages-<size>kB/."""
    free, total = {}, {}
    for path in sorted(glob.glob(os.path.join(under(root, node_dir), "hugepages", "hugepages-*kB"))):
        size = os.path.basename(path)[len("hugepages-"):-len("kB")]
        if not size.isdigit():
            continue
        rel = "%s/hugepages/%s" % (node_dir, os.path.basename(path))
        free[size] = parse_int(read_text(root, rel + "/free_hugepages"))
        total[size] = parse_int(read_text(root, rel + "/nr_hugepages"))
    return free, total


def numa_nodes(root):
    """One entry per /sys/devices/system/node/nodeN, or None when sysfs has no nodes."""
    nodes = []
    for node_id in _node_ids(root):
        node_dir = "%s/node%d" % (SYS_NODES, node_id)
        cpu_list = cpu_set_or_none(read_text(root, node_dir + "/cpulist"))
        free, total = _node_hugepages(root, node_dir)
        nodes.append({
            "id": node_id,
            "cpu_list": cpu_list,
            "cpus": None if cpu_list is None else len(cpu_list),
            "memory_mib": _node_memory_mib(root, node_dir),
            "hugepages_free": free,
            "hugepages_total": total,
        })
    return nodes or None


def nic_numa_nodes(root):
    """Physical NIC -> NUMA node id; -1 (firmware does not say) becomes None.

    Only interfaces backed by a device count: bridges, bonds, tunnels and loopback have no
    'device' link and no NUMA placement of their own.
    """
    nics = {}
    for path in sorted(glob.glob(os.path.join(under(root, SYS_NET), "*", "device"))):
        name = os.path.basename(os.path.dirname(path))
        node = parse_int(read_text(root, "%s/%s/device/numa_node" % (SYS_NET, name)))
        nics[name] = node if node is not None and node >= 0 else None
    return nics


# --- OVS-DPDK ------------------------------------------------------------------------------

def dpdk_from_ovs(dpdk_init):
    """Interpret `ovs-vsctl get Open_vSwitch . other_config:dpdk-init` output ('"true"')."""
    if dpdk_init is None:
        return None
    return dpdk_init.strip().strip('"').lower() in _DPDK_INIT_ON


def dpdk_from_agent_config(root):
    """The ML2/OVS agent's datapath: 'netdev' means OVS-DPDK. None without the agent config.

    Used when ovs-vsctl was not asked (root is not '/', or gather_ovs is off). ML2/OVN hosts
    have no such file, so the answer stays None there.
    """
    parser = load_ini(root, OVS_AGENT_INI)
    if parser is None:
        return None
    datapath = ini_get(parser, "ovs", "datapath_type") or "system"
    return datapath.strip().lower() == "netdev"


def query_dpdk_init(module):
    """Ask the local OVS for other_config:dpdk-init through the module.

    Returns the raw value, '"false"' when the key is unset (OVS then does not start DPDK), or
    None when ovs-vsctl is absent or the database cannot be reached.
    """
    ovs_vsctl = module.get_bin_path("ovs-vsctl")
    if not ovs_vsctl:
        return None
    rc, out, err = module.run_command([ovs_vsctl, "get", "Open_vSwitch", ".", "other_config:dpdk-init"])
    if rc == 0:
        return out.strip()
    if "no key" in err:
        return '"false"'
    return None


# --- gathering -----------------------------------------------------------------------------

def gather_host_config(root="/", nova_conf_paths=None, role="auto", dpdk_init=None):
    """All host-level facts below `root`.

    `dpdk_init` is the raw ovs-vsctl answer when the caller asked OVS (see query_dpdk_init);
    without it the OVS agent config decides. Returns a dict with the resolved `role`, the
    `nova_conf` path used (None when none was found), `host_fragment` (computes) and
    `settings_fragment` (controllers), ready for merge_host_facts.
    """
    paths = DEFAULT_NOVA_CONF_PATHS if nova_conf_paths is None else list(nova_conf_paths)
    conf_path = find_nova_conf(root, paths)
    parser = load_ini(root, conf_path) if conf_path else None
    resolved = resolve_role(role, conf_path)
    result = {"role": resolved, "nova_conf": conf_path, "host_fragment": {}, "settings_fragment": {}}
    if resolved == "controller":
        result["settings_fragment"] = {"scheduler_filters": scheduler_filters(parser)}
        return result
    fragment = {"host_facts_gathered": True}
    fragment.update(compute_conf_facts(parser))
    fragment["numa_nodes"] = numa_nodes(root)
    fragment["nic_numa_nodes"] = nic_numa_nodes(root)
    dpdk = dpdk_from_ovs(dpdk_init)
    fragment["dpdk"] = dpdk if dpdk is not None else dpdk_from_agent_config(root)
    result["host_fragment"] = fragment
    return result


def host_config_facts(module):
    """What the nova_host_config_facts module returns, from its parameters."""
    params = module.params
    dpdk_init = None
    # ovs-vsctl talks to this machine's OVS: meaningless for a tree copied below another root.
    if params["gather_ovs"] and params["root"] == "/":
        dpdk_init = query_dpdk_init(module)
    return gather_host_config(
        root=params["root"],
        nova_conf_paths=params["nova_conf_paths"],
        role=params["role"],
        dpdk_init=dpdk_init,
    )


# --- merging into a snapshot ---------------------------------------------------------------

def _find_host(hosts, host_name):
    """Index of the host named `host_name`; a unique short-name match also counts.

    Inventory names ('overcloud-novacompute-0') and Nova hypervisor names
    ('overcloud-novacompute-0.localdomain') often differ only by the domain.
    """
    for index, host in enumerate(hosts):
        if host.get("name") == host_name:
            return index
    short = host_name.split(".")[0]
    matches = [i for i, host in enumerate(hosts) if str(host.get("name", "")).split(".", maxsplit=1)[0] == short]
    if len(matches) == 1:
        return matches[0]
    raise KeyError("host %r is not in the snapshot (or its short name is ambiguous)" % host_name)


def _merge_numa_nodes(existing, gathered):
    """Update nodes by id: sysfs values win, fields only the API knows (pinned_cpus_free) stay."""
    merged = [dict(node) for node in existing or []]
    by_id = {node.get("id"): node for node in merged}
    for node in gathered:
        known = {key: value for key, value in node.items() if value is not None}
        if node["id"] in by_id:
            by_id[node["id"]].update(known)
        else:
            merged.append(known)
    return sorted(merged, key=lambda node: node.get("id", -1))


def merge_host_facts(snapshot_dict, host_name, host_fragment, settings_fragment=None):
    """A copy of the snapshot with one host's gathered facts merged in; the input is untouched.

    None values in the fragment are skipped: an unset nova.conf option must not erase a value
    the API reported, and an absent field already reads as "unknown" (host_facts_gathered
    tells a constraint that gathering was tried).
    """
    snapshot = copy.deepcopy(snapshot_dict)
    if host_fragment:
        hosts = snapshot.setdefault("hosts", [])
        host = hosts[_find_host(hosts, host_name)]
        for key, value in copy.deepcopy(host_fragment).items():
            if value is None:
                continue
            if key == "numa_nodes":
                host[key] = _merge_numa_nodes(host.get(key), value)
            else:
                host[key] = value
        host["host_facts_gathered"] = True
    if settings_fragment:
        settings = snapshot.setdefault("settings", {})
        for key, value in copy.deepcopy(settings_fragment).items():
            if value is not None:
                settings[key] = value
    return snapshot
