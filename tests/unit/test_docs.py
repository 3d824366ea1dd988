"""The user guide keeps up with the code: every reason code the rules return is documented."""

import os
import re

from ansible_collections.vmops.migration.plugins.module_utils.constraints.catalogue import codes
from tests.unit.plan_checks import ROOT


def test_every_reason_code_is_in_the_guide():
    with open(os.path.join(ROOT, "docs", "guide.md")) as handle:
        documented = set(re.findall(r"^\| ([A-Z][A-Z0-9_]+) \| (?:block|warn|info) \|", handle.read(), re.MULTILINE))
    assert documented == set(codes())
