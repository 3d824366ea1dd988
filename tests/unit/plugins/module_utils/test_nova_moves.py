"""Pure helpers of the cold-migrate and evacuate modules, and the adapter's settle-only moves."""
from types import SimpleNamespace

import pytest

from ansible_collections.vmops.migration.plugins.module_utils import nova_moves
from ansible_collections.vmops.migration.plugins.module_utils.constraints.base import COLD
from ansible_collections.vmops.migration.plugins.module_utils.errors import MigrationFailed
from ansible_collections.vmops.migration.plugins.module_utils.executor import CANCELLED, COMPLETED, IN_PROGRESS, Move
from ansible_collections.vmops.migration.plugins.module_utils.nova_adapter import NovaBackend


def guest(name, host="compute-3", metadata=None, addresses=None):
    return SimpleNamespace(id="id-" + name, name=name, compute_host=host, metadata=metadata or {},
                           addresses=addresses or {})


@pytest.mark.parametrize("metadata, expected", [
    ({"HA_Enabled": "True"}, True),
    ({"HA_Enabled": "true"}, True),
    ({"HA_Enabled": " yes "}, True),
    ({"HA_Enabled": "False"}, False),
    ({"HA_Enabled": ""}, False),
    ({"ha_enabled": "True"}, False),  # Masakari's key is case-sensitive
    ({}, False),
    (None, False),
])
def test_is_ha_enabled(metadata, expected):
    assert nova_moves.is_ha_enabled(metadata) is expected


def test_ha_enabled_servers_first_order_kept_otherwise():
    servers = [guest("a"), guest("b", metadata={"HA_Enabled": "True"}), guest("c"), guest("d", metadata={"HA_Enabled": "1"})]
    assert [s.name for s in nova_moves.ha_enabled_first(servers)] == ["b", "d", "a", "c"]


def test_evacuation_candidates_on_host_under_way_done_or_strangers():
    on_host, moving, came_back, done, stranger = (guest("on"), guest("moving", host="compute-1"), guest("back"),
                                                  guest("done", host="compute-2"), guest("other", host="compute-0"))
    servers, already, strangers = nova_moves.sort_evacuation_candidates(
        [on_host, moving, came_back, done, stranger], "compute-3",
        in_flight={"id-moving"}, evacuated={"id-done", "id-back"})
    # A server evacuated once and now back on the dead host is evacuated again; one under way is adopted.
    assert [s.name for s in servers] == ["on", "moving", "back"]
    assert [s.name for s in already] == ["done"]
    assert [s.name for s in strangers] == ["other"]


def test_identity_after_an_evacuation():
    before = nova_moves.identity(guest("db-1", addresses={"net": [{"addr": "10.0.0.9"}, {"addr": "10.0.0.2"}]}))
    assert before == {"id": "id-db-1", "name": "db-1", "addresses": {"net": ["10.0.0.2", "10.0.0.9"]}}
    same = guest("db-1", host="compute-1", addresses={"net": [{"addr": "10.0.0.2"}, {"addr": "10.0.0.9"}]})
    assert nova_moves.identity_after(before, same, "compute-1") == dict(before, host="compute-1", unchanged=True)
    readdressed = guest("db-1", host="compute-1", addresses={"net": [{"addr": "10.0.0.3"}]})
    assert nova_moves.identity_after(before, readdressed, "compute-1")["unchanged"] is False


@pytest.mark.parametrize("options, status, expected", [
    ({"revert": True}, "reverted", COMPLETED),
    ({"confirm": True}, "reverted", CANCELLED),
    ({"confirm": True}, "confirmed", COMPLETED),
    ({"confirm": True}, "finished", IN_PROGRESS),
])
def test_a_revert_asked_for_ends_well_when_reverted(options, status, expected):
    move = Move(instance="s", source="compute-0", type=COLD, options=options)
    assert NovaBackend(conn=None).state_of(move, status) == expected


@pytest.mark.parametrize("options", [{"adopt_only": True, "confirm": True}, {"revert": True}])
def test_settle_only_moves_never_start_a_migration(options):
    move = Move(instance="s", source="compute-0", target="compute-1", type=COLD, options=options)
    with pytest.raises(MigrationFailed) as raised:
        NovaBackend(conn=None).start(move, move.target, set())
    assert raised.value.code == "RACE"
