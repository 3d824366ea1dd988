"""Registers the Nova twin fixture for the module integration tests."""
try:
    from tests.fixtures.nova_twin import *  # noqa: F401,F403
except ModuleNotFoundError:
    # Until tests/fixtures/nova_twin.py exists, the tests needing it skip (pytest.importorskip).
    pass
