"""Migration records, query parameters and paging helpers."""
import pytest

from ansible_collections.vmops.migration.plugins.module_utils import nova_migrations
from ansible_collections.vmops.migration.plugins.module_utils.nova_api import next_page_query

RAW = {"id": 7, "uuid": "u", "instance_uuid": "s", "migration_type": "live-migration", "status": "running",
       "source_compute": "c0", "dest_compute": "c1", "created_at": "2025-01-01T00:00:00.000000"}


def test_migration_record_with_progress():
    record = nova_migrations.migration_record(RAW, {"memory_total_bytes": 10, "memory_remaining_bytes": 4})
    assert record["server_id"] == "s"
    assert record["progress"]["memory_remaining_bytes"] == 4
    assert record["progress"]["disk_total_bytes"] is None


def test_migration_record_without_progress():
    assert nova_migrations.migration_record(dict(RAW, status="completed"))["progress"] is None


@pytest.mark.parametrize("raw, expected", [
    (RAW, True),
    (dict(RAW, status="completed"), False),
    (dict(RAW, migration_type="migration"), False),
])
def test_is_live_in_progress(raw, expected):
    assert nova_migrations.is_live_in_progress(raw) is expected


def test_query_params_drop_unset_and_use_api_names():
    assert nova_migrations.query_params(host="c0", changes_since="2025-01-01T00:00:00Z") == {
        "host": "c0", "changes-since": "2025-01-01T00:00:00Z"}


def test_newest_first():
    older = dict(RAW, id=1, created_at="2024-01-01T00:00:00.000000")
    assert [m["id"] for m in nova_migrations.newest_first([older, RAW])] == [7, 1]


@pytest.mark.parametrize("links, expected", [
    ([], None),
    ([{"rel": "next", "href": "http://wrong-host/v2.1/os-migrations?limit=2&marker=abc"}], {"limit": "2", "marker": "abc"}),
    ([{"rel": "self", "href": "http://x/?marker=1"}], None),
])
def test_next_page_query(links, expected):
    assert next_page_query(links) == expected
