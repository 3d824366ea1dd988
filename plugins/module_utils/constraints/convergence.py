# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Will pre-copy finish? A guest dirtying memory as fast as it can be copied never converges."""

from __future__ import annotations

from ansible_collections.vmops.migration.plugins.module_utils import physics
from ansible_collections.vmops.migration.plugins.module_utils.constraints.base import WARN, Rule
from ansible_collections.vmops.migration.plugins.module_utils.constraints.common import usable_bandwidth


class WillNotConverge(Rule):
    code = "WILL_NOT_CONVERGE"
    severity = WARN
    platforms = ("nova", "kubevirt")

    def check(self, ctx):
        dirty = ctx.instance.dirty_rate_mibps
        if dirty is None:
            return []
        bandwidth = usable_bandwidth(ctx)
        if physics.converges(dirty, bandwidth):
            return []
        return [self.reason(ctx, "%s dirties about %g MiB/s of memory, at least the %g MiB/s usable to %s: pre-copy "
                            "will not converge without auto-converge, post-copy or force-complete"
                            % (ctx.instance.label, dirty, bandwidth, ctx.target.name))]


RULES = [WillNotConverge]
