"""Run reports for the HTML report tests: a drain of two hosts with mixed results and a blocked instance."""

import datetime

from ansible_collections.vmops.migration.plugins.module_utils import planner, report
from tests.unit.clusters import host, instance, snapshot_dict

START = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
TRICKY_NAME = 'db<1> & "quoted"'


def drain_report():
    """Six servers off compute-1 and compute-2 (one failed, one not run), one pinned to a PCI device."""
    hosts = [host("compute-%d" % index) for index in range(1, 5)]
    instances = [instance("vm-%d" % index, "compute-1" if index < 4 else "compute-2", memory_mib=2048 * index)
                 for index in range(1, 7)]
    instances[0]["name"] = TRICKY_NAME
    instances.append(instance("vm-pci", "compute-2", name="gpu <vm>", pci_passthrough=["10de:1eb8"]))
    plan = planner.drain(snapshot_dict(hosts, instances), ["compute-1", "compute-2"])
    results, offset = [], 0
    for index, move in enumerate(plan["moves"]):
        if move["instance"] == "vm-6":
            continue  # never started: no bar
        status = "failed" if move["instance"] == "vm-5" else "completed"
        results.append({"instance": move["instance"], "target": move["target"], "status": status,
                        "seconds": 5.0 + index * 3, "bytes_transferred": move.get("memory_mib", 1024) * 2 ** 20,
                        "started_at": (START + datetime.timedelta(seconds=offset)).isoformat(), "attempts": 1})
        offset += 2 * (index % 2)
    finished = (START + datetime.timedelta(seconds=60)).isoformat()
    return report.run_report(plan, results, "r-42", START.isoformat(), finished)
