"""Pre-copy live migration, stepped in simulated seconds.

Stdlib only so the physics can be read (and reasoned about) without Nova.
"""

MIB = 1024 * 1024
GIB = 1024 * MIB


class PreCopy:
    """One guest's migration: an optional disk phase, then memory rounds.

    Round 1 copies all of memory; each later round copies what the guest dirtied while the
    previous one ran.  Once a round's size fits the downtime target the guest is paused and
    the rest goes over without further dirtying.  Bandwidth is passed to every step because
    it changes when other migrations start or stop on the same hosts.
    """

    def __init__(self, memory_bytes, disk_bytes, dirty_bps, max_downtime_s=0.5, fail_halfway=False):
        self.memory_total = memory_bytes
        self.disk_total = disk_bytes
        self.dirty_bps = dirty_bps
        self.max_downtime_s = max_downtime_s
        self.fail_halfway = fail_halfway
        self.disk_left = float(disk_bytes)
        self.round = 1
        self.round_left = float(memory_bytes)
        self.dirtied = 0.0
        self.memory_processed = 0.0
        self.elapsed = 0.0
        self.paused = False
        self.done = False
        self.failed = False
        self._pause_if_small_enough = True

    @property
    def memory_remaining(self):
        return min(self.memory_total, self.round_left + self.dirtied)

    @property
    def disk_processed(self):
        return self.disk_total - self.disk_left

    def pause(self):
        """Stop the guest: whatever is dirty joins the final round."""
        if not self.paused:
            self.round_left += self.dirtied
            self.dirtied = 0.0
            self.paused = True

    def advance(self, seconds, bandwidth_bps):
        while seconds > 1e-12 and not (self.done or self.failed):
            if self.disk_left > 0:
                step = min(seconds, self.disk_left / bandwidth_bps)
                self.disk_left = max(0.0, self.disk_left - step * bandwidth_bps)
            else:
                if self._pause_if_small_enough and self.round_left / bandwidth_bps <= self.max_downtime_s:
                    self.pause()
                self._pause_if_small_enough = False
                step = min(seconds, self._until_event(bandwidth_bps))
                self._copy_memory(step, bandwidth_bps)
            seconds -= step
            self.elapsed += step
            if self.disk_left <= 0 and self.round_left <= 1e-6:
                self._end_round()

    def _until_event(self, bandwidth_bps):
        """Seconds until this round ends, or until the injected failure point if that is sooner."""
        left = self.round_left
        if self.fail_halfway and self.round == 1:
            left = min(left, max(0.0, left - self.memory_total / 2))
        return left / bandwidth_bps

    def _copy_memory(self, step, bandwidth_bps):
        copied = min(self.round_left, step * bandwidth_bps)
        self.round_left -= copied
        self.memory_processed += copied
        if not self.paused:
            self.dirtied = min(float(self.memory_total), self.dirtied + step * self.dirty_bps)
        if self.fail_halfway and self.round == 1 and self.round_left <= self.memory_total / 2:
            self.failed = True

    def _end_round(self):
        if self.paused:
            self.done = True
            return
        self.round += 1
        self.round_left, self.dirtied = self.dirtied, 0.0
        self._pause_if_small_enough = True
