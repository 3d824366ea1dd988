"""The ledger sums a scenario's runs and merges them into the results file without losing other rows."""

import json

import pytest

from tests.reliability.conftest import Ledger, load_results

ROW = dict(migrations=40, faults=7, lost=0, in_error=0, duplicates=0)


def test_runs_of_one_scenario_are_summed():
    book = Ledger()
    book.record("API faults", **ROW)
    book.record("API faults", **dict(ROW, faults=3, lost=1))
    assert book.rows["API faults"] == dict(runs=2, migrations=80, faults=10, lost=1, in_error=0, duplicates=0)


def test_merge_replaces_scenarios_run_now_and_keeps_the_others(tmp_path):
    path = str(tmp_path / "reliability" / "results.json")
    earlier = Ledger()
    earlier.record("Soak", **ROW)
    earlier.record("API faults", **ROW)
    earlier.merge_into(path)
    now = Ledger()
    now.record("API faults", **dict(ROW, migrations=5))
    now.merge_into(path)
    merged = load_results(path)
    assert sorted(merged) == ["API faults", "Soak"]
    assert merged["API faults"]["migrations"] == 5 and merged["API faults"]["runs"] == 1
    assert merged["Soak"]["migrations"] == 40
    with open(path, encoding="utf-8") as handle:
        assert set(json.load(handle)) == {"scenarios"}


def test_a_session_that_recorded_nothing_writes_nothing(tmp_path):
    path = tmp_path / "results.json"
    Ledger().merge_into(str(path))
    assert not path.exists()


@pytest.mark.parametrize("scenario, counts, named", [
    ("", ROW, "scenario"),
    (None, ROW, "scenario"),
    ("x", dict(ROW, lost=-1), "lost"),
    ("x", dict(ROW, faults=1.5), "faults"),
    ("x", dict(ROW, duplicates=True), "duplicates"),
    ("x", dict(ROW, migrations="40"), "migrations"),
])
def test_bad_rows_are_refused_naming_the_field(scenario, counts, named):
    book = Ledger()
    with pytest.raises(ValueError, match=named):
        book.record(scenario, **counts)
    assert not book.rows
