"""The core (model, constraints, capacity, planner, physics) imports nothing outside the standard
library and the collection itself, so filters, scripts and modules can run it anywhere."""

import ast
import os
import sys

import pytest

from tests.unit.plan_checks import ROOT

MODULE_UTILS = os.path.join(ROOT, "plugins", "module_utils")
RULES = sorted(name for name in os.listdir(os.path.join(MODULE_UTILS, "constraints")) if name.endswith(".py"))
CORE = ["snapshot.py", "capacity.py", "load.py", "physics.py", "scheduling.py", "targeting.py", "planner.py",
        "rebalancing.py", "hostnames.py", "errors.py", "report.py", "report_html.py", "plan_check.py",
        "host_config.py", "executor.py", "failures.py", "progress.py", "retry.py"]
CORE += [os.path.join("constraints", name) for name in RULES]
COLLECTION = "ansible_collections.vmops.migration"


def imported_modules(path):
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module


@pytest.mark.parametrize("name", CORE)
def test_core_module_imports_only_the_standard_library_and_the_collection(name):
    foreign = [module for module in imported_modules(os.path.join(MODULE_UTILS, name))
               if not module.startswith(COLLECTION) and module.split(".")[0] not in sys.stdlib_module_names]
    assert foreign == []


def test_the_check_would_catch_a_foreign_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import json\nimport openstack\nfrom ansible_collections.vmops.migration.x import y\n")
    found = [m for m in imported_modules(str(sample))
             if not m.startswith(COLLECTION) and m.split(".")[0] not in sys.stdlib_module_names]
    assert found == ["openstack"]
