"""One moving-modules twin for every test module of this folder (a session fixture imported into
each module would start one twin per module)."""
from tests.integration.plugins.modules.moving_twin import moving_twin  # noqa: F401
