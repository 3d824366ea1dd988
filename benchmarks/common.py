"""Helpers shared by the benchmark scripts: where the collection is imported from, tables, results.

The scripts run as `python benchmarks/<name>.py` from any directory, without PYTHONPATH: the
collection is imported through a temporary `ansible_collections/vmops/migration` symlink to
this checkout, or, with `--compare REF`, through an export of `plugins/` at git revision REF,
so one run can measure the planner before and after a change.
"""

import json
import os
import platform
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "benchmarks", "results")


def collection_path(ref=None):
    """A directory to put on sys.path / PYTHONPATH that imports vmops.migration (at `ref`)."""
    base = tempfile.mkdtemp(prefix="vmops-bench-")
    parent = os.path.join(base, "ansible_collections", "vmops")
    os.makedirs(parent)
    target = os.path.join(parent, "migration")
    if ref is None:
        os.symlink(ROOT, target)
    else:
        os.makedirs(target)
        archive = subprocess.run(["git", "-C", ROOT, "archive", ref, "plugins"], check=True, stdout=subprocess.PIPE).stdout
        subprocess.run(["tar", "-x", "-C", target], input=archive, check=True)
    return base


def use_collection():
    """Make this checkout's collection importable in the current process."""
    try:
        import ansible_collections.vmops.migration.plugins.module_utils.planner  # noqa: F401
    except ImportError:
        sys.path.insert(0, collection_path())


def revision(ref="HEAD"):
    found = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", ref], stdout=subprocess.PIPE, text=True)
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "plugins", "benchmarks"],
                           stdout=subprocess.PIPE, text=True).stdout.strip()
    return found.stdout.strip() + ("+changes" if dirty and ref == "HEAD" else "")


def machine():
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
            "processor": platform.processor() or platform.machine()}


def table(headers, rows):
    """A Markdown table; numbers are printed as given (format them before)."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def write_results(name, data, quick):
    os.makedirs(RESULTS, exist_ok=True)
    path = os.path.join(RESULTS, name + ("-quick" if quick else "") + ".json")
    with open(path, "w") as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
        handle.write("\n")
    return path
