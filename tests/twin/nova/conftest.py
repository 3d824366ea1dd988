# The lead registers tests.fixtures.nova_twin for the whole suite; until then these tests load it here.
from tests.fixtures.nova_twin import nova_twin, nova_twin_clean  # noqa: F401
