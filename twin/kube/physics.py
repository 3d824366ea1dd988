"""Pre-copy live migration in time steps (DESIGN.md, "Physics").

Pass i copies V_i bytes at bandwidth B while the guest dirties D bytes/s; the next pass copies
what was dirtied, at most the whole memory M. The guest switches over once the last dirty set
fits in the downtime target. With D >= B the remaining data never shrinks: it cannot converge.
"""
from dataclasses import dataclass

EPSILON = 1.0  # bytes: below this a pass is done (floating point leftovers)


@dataclass
class PreCopy:
    memory: float              # M, bytes
    downtime: float = 0.3      # seconds the guest may pause at switch-over (libvirt's default)
    left: float = -1.0         # bytes still to send in the current pass
    dirtied: float = 0.0       # bytes dirtied since the current pass began
    transferred: float = 0.0
    iterations: int = 1
    done: bool = False
    post_copy: bool = False    # switched to post-copy: the rest moves after switch-over

    def __post_init__(self):
        if self.left < 0:
            self.left = self.memory

    @property
    def remaining(self):
        """libvirt's dataRemaining: unsent bytes of this pass plus pages dirtied meanwhile."""
        if self.done:
            return 0.0
        return min(self.memory, self.left + (0.0 if self.post_copy else self.dirtied))

    def step(self, seconds, bandwidth, dirty_rate):
        """Advance the copy by ``seconds`` of twin time; returns True once switched over."""
        if bandwidth <= 0:
            return self.done
        while seconds > 0 and not self.done:
            if self.left <= EPSILON:
                if self.post_copy or self.dirtied / bandwidth <= self.downtime:
                    self.transferred += 0.0 if self.post_copy else self.dirtied
                    self.done = True
                    break
                self.left, self.dirtied = self.dirtied, 0.0
                self.iterations += 1
            used = min(seconds, self.left / bandwidth)
            self.left -= used * bandwidth
            self.transferred += used * bandwidth
            if not self.post_copy:  # after switch-over the source guest no longer runs
                self.dirtied = min(self.memory, self.dirtied + dirty_rate * used)
            seconds -= used
        return self.done

    def switch_to_post_copy(self):
        """The guest runs on the target from now on; only the outstanding pages still move."""
        self.post_copy = True
        self.left = min(self.memory, self.left + self.dirtied)
        self.dirtied = 0.0
