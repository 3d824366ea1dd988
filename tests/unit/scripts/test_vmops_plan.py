import json
import os
import subprocess
import sys

import pytest

from tests.unit.plan_checks import ROOT, assert_valid_plan

SCRIPT = os.path.join(ROOT, "scripts", "vmops-plan")
EXAMPLE = os.path.join(ROOT, "docs", "examples", "snapshot-10x60.json")


def run(*args, cwd=None):
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True, cwd=cwd or "/", env=env, check=False)


@pytest.mark.parametrize("args", [
    ["--workflow", "drain", "--hosts", "compute-1,compute-2"],
    ["--workflow", "evacuate", "--hosts", "compute-3"],
    ["--workflow", "rebalance", "--max-cpu-util", "0.6"],
    ["--workflow", "rebalance", "--objective", "consolidate", "--max-moves", "20"],
    ["--workflow", "drain", "--hosts", "compute-5", "--per-source", "2", "--per-target", "1", "--cluster", "3"],
])
def test_prints_a_valid_plan_and_a_summary(args):
    result = run(EXAMPLE, *args)
    assert result.returncode == 0, result.stderr
    with open(EXAMPLE) as handle:
        assert_valid_plan(json.load(handle), json.loads(result.stdout))
    assert " plan: " in result.stderr


@pytest.mark.parametrize("args, message", [
    (["/nonexistent.json", "--workflow", "drain", "--hosts", "a"], "cannot read snapshot /nonexistent.json"),
    ([EXAMPLE, "--workflow", "drain", "--hosts", "compute-10"], 'hosts: unknown host "compute-10"'),
    ([EXAMPLE, "--workflow", "drain", "--hosts", "compute"], 'hosts: unknown host "compute"'),
    ([EXAMPLE, "--workflow", "drain"], "--hosts: drain needs at least one host"),
    ([EXAMPLE, "--workflow", "shuffle"], "invalid choice: 'shuffle'"),
    ([EXAMPLE, "--workflow", "rebalance", "--max-cpu-util", "2"], "max_cpu_util must be a number in (0, 1]"),
    ([EXAMPLE, "--workflow", "drain", "--hosts", "compute-1", "--per-source", "-1"], "per_source must be an integer >= 0"),
])
def test_bad_input_exits_2_with_one_line(args, message):
    result = run(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_invalid_snapshot_names_the_path(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"version": 1, "platform": "nova", "hosts": [{"name": "a", "vcpus": 1, "memory_mib": "8G"}],
                               "instances": []}))
    result = run(str(bad), "--workflow", "rebalance")
    assert result.returncode == 2 and 'hosts[0].memory_mib: must be an integer >= 0, got "8G"' in result.stderr
