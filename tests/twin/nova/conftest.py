import sys

# Until tests/conftest.py lists "tests.fixtures.nova_twin" in pytest_plugins, load it here; once
# it does, importing it again would register a second session twin for this directory.
if "tests.fixtures.nova_twin" not in sys.modules:
    from tests.fixtures.nova_twin import nova_twin, nova_twin_clean  # noqa: F401
