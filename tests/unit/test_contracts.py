"""Our copies of the contracts may only add to the shared ones (new optional fields), never break them."""

import json
import os

import pytest

from tests.unit.plan_checks import ROOT

SHARED = os.path.join(os.path.dirname(ROOT), "shared", "contracts")


def _walk(shared, ours, path):
    """Yield problems where `ours` drops or changes something `shared` defines."""
    for key, value in shared.items():
        if key not in ours:
            yield "%s.%s: missing" % (path, key)
        elif isinstance(value, dict) and isinstance(ours[key], dict):
            yield from _walk(value, ours[key], "%s.%s" % (path, key))
        elif key == "required":
            if set(ours[key]) != set(value):
                yield "%s.required: changed" % path
        elif key != "description" and ours[key] != value:
            yield "%s.%s: changed from %r to %r" % (path, key, value, ours[key])


@pytest.mark.parametrize("name", ["snapshot.schema.json", "plan.schema.json"])
def test_our_contract_only_adds_to_the_shared_one(name):
    shared_path = os.path.join(SHARED, name)
    if not os.path.exists(shared_path):
        pytest.fail("shared contract %s not found beside the repository" % shared_path)
    with open(shared_path) as handle:
        shared = json.load(handle)
    with open(os.path.join(ROOT, "contracts", name)) as handle:
        ours = json.load(handle)
    assert list(_walk(shared, ours, "$")) == []
