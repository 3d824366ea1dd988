# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How long a migration takes: the pre-copy model and the lower bound of a set of moves.

Units: MiB, MiB/s, seconds. Pre-copy (libvirt, KubeVirt): round 0 copies all memory M at
bandwidth B while the guest dirties D MiB/s; each next round copies what the previous round
dirtied, never more than M. When a round's remainder fits in the downtime target the guest is
paused and the rest copied. With D >= B the remainder never shrinks: no convergence without
auto-converge, post-copy or force-complete. These are estimates and lower bounds, not promises.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_DOWNTIME_S = 0.5
MAX_ROUNDS = 1000
# Cold migration and evacuation do not copy memory: the fixed part is boot and bookkeeping,
# as seen on Nova (resize claim, power off/on) and a rebuild from shared storage.
COLD_FIXED_S = 10.0
EVACUATE_FIXED_S = 20.0
NOVA_TIMEOUT_S_PER_GIB = 800
KUBEVIRT_TIMEOUT_S_PER_GIB = 150


@dataclass(frozen=True)
class Estimate:
    converges: bool
    seconds: float | None
    rounds: int
    copied_mib: float
    downtime_s: float | None


def converges(dirty_mibps, bandwidth_mibps):
    return bandwidth_mibps > 0 and (dirty_mibps or 0) < bandwidth_mibps


def precopy(memory_mib, dirty_mibps, bandwidth_mibps, downtime_s=DEFAULT_DOWNTIME_S, disk_gib=0.0):
    """Estimate of a live migration: disk first (block migration), then memory rounds."""
    if bandwidth_mibps <= 0:
        return Estimate(False, None, 0, 0.0, None)
    dirty = dirty_mibps or 0.0
    disk_s = disk_gib * 1024.0 / bandwidth_mibps
    remaining = float(memory_mib)
    elapsed = disk_s
    copied = disk_gib * 1024.0
    for rounds in range(MAX_ROUNDS):
        round_s = remaining / bandwidth_mibps
        if round_s <= downtime_s:
            return Estimate(True, elapsed + round_s, rounds + 1, copied + remaining, round_s)
        if not converges(dirty, bandwidth_mibps):
            return Estimate(False, None, rounds + 1, copied, None)
        elapsed += round_s
        copied += remaining
        remaining = min(float(memory_mib), dirty * round_s)
    return Estimate(False, None, MAX_ROUNDS, copied, None)


def cold_seconds(disk_gib, bandwidth_mibps):
    """A cold migration copies local disk (if any) and restarts the guest."""
    return COLD_FIXED_S + (disk_gib * 1024.0 / bandwidth_mibps if bandwidth_mibps > 0 else 0.0)


def completion_timeout_s(memory_mib, disk_gib, platform="nova", per_gib=None):
    """When the hypervisor gives up: Nova counts max(RAM, 2 GiB) + disk, KubeVirt RAM + disk."""
    if platform == "kubevirt":
        gib = memory_mib / 1024.0 + disk_gib
        return (per_gib or KUBEVIRT_TIMEOUT_S_PER_GIB) * gib
    gib = max(memory_mib / 1024.0, 2.0) + disk_gib
    return (per_gib or NOVA_TIMEOUT_S_PER_GIB) * gib


@dataclass(frozen=True)
class Transfer:
    """What a move sends over the network, for the lower bound."""
    source: str
    target: str
    mib: float
    source_mibps: float
    target_mibps: float


def lower_bound(transfers):
    """No schedule of these transfers can finish sooner (seconds).

    max(largest single transfer at full bandwidth, each host's outgoing bytes over its bandwidth,
    each host's incoming bytes over its bandwidth).
    """
    bound = 0.0
    outgoing, incoming = {}, {}
    for item in transfers:
        bandwidth = min(item.source_mibps, item.target_mibps)
        if bandwidth > 0:
            bound = max(bound, item.mib / bandwidth)
        sent, rate = outgoing.get(item.source, (0.0, item.source_mibps))
        outgoing[item.source] = (sent + item.mib, rate)
        received, rate = incoming.get(item.target, (0.0, item.target_mibps))
        incoming[item.target] = (received + item.mib, rate)
    for total, rate in list(outgoing.values()) + list(incoming.values()):
        if rate > 0:
            bound = max(bound, total / rate)
    return bound
