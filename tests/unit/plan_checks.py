"""Shared assertions about plans: schema validity and replay without violations."""

import json
import os

import jsonschema

from ansible_collections.vmops.migration.plugins.module_utils.plan_check import violations

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load_schema(name):
    with open(os.path.join(ROOT, "contracts", name)) as handle:
        return json.load(handle)


PLAN_SCHEMA = load_schema("plan.schema.json")
SNAPSHOT_SCHEMA = load_schema("snapshot.schema.json")


def assert_valid_plan(snapshot_dict, plan):
    jsonschema.validate(plan, PLAN_SCHEMA)
    assert violations(snapshot_dict, plan) == []
