"""API fault injection for nova-api: failed, lost and slow requests, reproducible by seed."""
import random
import re
import threading

MODES = ("error", "lost", "delay")


class Rule:
    """One kind of fault, hitting matching requests with probability ``rate``.

    ``error`` answers 5xx without executing the request; ``lost`` executes it and then
    answers 5xx, as when a proxy drops the reply; ``delay`` holds the request back first.
    """

    def __init__(self, mode="error", rate=1.0, status=503, delay_s=0.0, methods=None, path=None, seed=0, limit=None):
        if mode not in MODES:
            raise ValueError("mode must be one of %s" % (MODES,))
        if not 0.0 <= float(rate) <= 1.0:
            raise ValueError("rate must be within 0..1")
        if mode != "delay" and int(status) not in (500, 502, 503, 504):
            raise ValueError("status must be 500, 502, 503 or 504")
        self.mode = mode
        self.rate = float(rate)
        self.status = int(status)
        self.delay_s = float(delay_s)
        self.methods = {m.upper() for m in methods} if methods else None
        self.path = re.compile(path) if path else None
        self.seed = seed
        self.limit = limit
        self.fired = 0
        self._rng = random.Random(seed)

    def matches(self, method, path):
        if self.methods and method not in self.methods:
            return False
        return not self.path or bool(self.path.search(path))

    def roll(self):
        if self.limit is not None and self.fired >= self.limit:
            return False
        if self._rng.random() < self.rate:
            self.fired += 1
            return True
        return False

    def to_dict(self):
        return {
            "mode": self.mode,
            "rate": self.rate,
            "status": self.status,
            "delay_s": self.delay_s,
            "methods": sorted(self.methods) if self.methods else None,
            "path": self.path.pattern if self.path else None,
            "seed": self.seed,
            "limit": self.limit,
            "fired": self.fired,
        }


class Verdict:
    def __init__(self):
        self.delay_s = 0.0
        self.reject = None  # a status to answer instead of executing
        self.lose = None  # a status to answer after executing


class Faults:
    def __init__(self):
        self._rules = []
        self._lock = threading.Lock()

    def replace(self, rule_dicts):
        rules = [Rule(**d) for d in rule_dicts]
        with self._lock:
            self._rules = rules

    def clear(self):
        with self._lock:
            self._rules = []

    def describe(self):
        with self._lock:
            return [r.to_dict() for r in self._rules]

    def judge(self, method, path):
        verdict = Verdict()
        with self._lock:
            for rule in self._rules:
                if not rule.matches(method, path) or not rule.roll():
                    continue
                if rule.mode == "delay":
                    verdict.delay_s += rule.delay_s
                elif rule.mode == "error" and verdict.reject is None:
                    verdict.reject = rule.status
                elif rule.mode == "lost" and verdict.lose is None:
                    verdict.lose = rule.status
        return verdict
