import json
import os
import subprocess
import sys

import pytest

from tests.unit.plan_checks import ROOT

SCRIPT = os.path.join(ROOT, "scripts", "reliability_table.py")
ROWS = {
    "Soak, 100 migrations": dict(runs=1, migrations=100, faults=2, lost=0, in_error=0, duplicates=0),
    "API faults 10 %": dict(runs=2, migrations=80, faults=31, lost=0, in_error=1, duplicates=0),
}
DOC = "# Reliability\n\nbefore\n<!-- reliability-table:start -->\nold table\n<!-- reliability-table:end -->\nafter\n"


def run(tmp_path, results, doc=DOC, *args):
    results_path, doc_path = tmp_path / "results.json", tmp_path / "reliability.md"
    results_path.write_text(results)
    doc_path.write_text(doc)
    command = [sys.executable, SCRIPT, "--results", str(results_path), "--doc", str(doc_path), *args]
    return subprocess.run(command, capture_output=True, text=True, check=False), doc_path.read_text()


def test_writes_one_row_per_scenario_and_totals_between_the_markers(tmp_path):
    result, doc = run(tmp_path, json.dumps({"scenarios": ROWS}))
    assert result.returncode == 0, result.stderr
    assert doc.startswith("# Reliability\n\nbefore\n<!-- reliability-table:start -->\n| Scenario |")
    assert doc.endswith("<!-- reliability-table:end -->\nafter\n")
    assert "old table" not in doc
    assert "| API faults 10 % | 2 | 80 | 31 | 0 | 1 | 0 |" in doc
    assert "| Soak, 100 migrations | 1 | 100 | 2 | 0 | 0 | 0 |" in doc
    assert "| **Total** | **3** | **180** | **33** | **0** | **1** | **0** |" in doc


def test_stdout_prints_the_table_and_leaves_the_document(tmp_path):
    result, doc = run(tmp_path, json.dumps({"scenarios": ROWS}), DOC, "--stdout")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("| Scenario | Runs | Migrations | Faults injected | Servers lost")
    assert doc == DOC


@pytest.mark.parametrize("results, doc, message", [
    ("not json", DOC, "results.json"),
    (json.dumps({"scenarios": {}}), DOC, "no scenarios"),
    (json.dumps({"scenarios": {"Soak": {"runs": 1}}}), DOC, "lacks migrations"),
    (json.dumps({"scenarios": ROWS}), "# no markers\n", "reliability-table:start"),
])
def test_bad_input_exits_2_naming_the_problem_and_changes_nothing(tmp_path, results, doc, message):
    result, after = run(tmp_path, results, doc)
    assert result.returncode == 2
    assert message in result.stderr and len(result.stderr.splitlines()) == 1
    assert after == doc
