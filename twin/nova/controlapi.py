"""The twin's own JSON endpoint, under /_twin/ on the nova-api port."""
import json
import os
import re
import time

from twin.nova import fleet, simstate
from twin.nova.responses import json_response

_SIM_KEYS = {"dirty_mibps": "sim_dirty_mibps", "bw_mibps": "sim_bw_mibps", "fail": "sim_fail"}


def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


class ControlApi:
    def __init__(self, plane, faults, timings):
        self.plane = plane
        self.faults = faults
        self.timings = timings
        self.initial_time_factor = simstate.time_factor
        self.started = time.time()
        self.routes = [
            ("GET", r"/_twin/status", self.status),
            ("GET", r"/_twin/transfers", self.transfers),
            ("POST", r"/_twin/hosts", self.add_host),
            ("POST", r"/_twin/hosts/(?P<host>[^/]+)/kill", self.kill),
            ("POST", r"/_twin/hosts/(?P<host>[^/]+)/revive", self.revive),
            ("PUT", r"/_twin/time-factor", self.set_time_factor),
            ("POST", r"/_twin/periodics", self.periodics),
            ("GET", r"/_twin/faults", self.get_faults),
            ("PUT", r"/_twin/faults", self.set_faults),
            ("DELETE", r"/_twin/faults", self.clear_faults),
            ("POST", r"/_twin/servers/(?P<server>[^/]+)/sim", self.set_sim),
            ("POST", r"/_twin/reset", self.reset),
        ]

    def __call__(self, environ, start_response):
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        for verb, pattern, handler in self.routes:
            match = re.fullmatch(pattern, path)
            if match and verb == method:
                try:
                    body = self._body(environ)
                    status, payload = handler(body, environ=environ, **match.groupdict())
                except (ValueError, KeyError, TypeError) as exc:
                    status, payload = 400, {"error": str(exc)}
                return json_response(start_response, status, payload)
        return json_response(start_response, 404, {"error": "no control call %s %s" % (method, path)})

    @staticmethod
    def _body(environ):
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        return json.loads(raw) if raw.strip() else {}

    def status(self, body, **_):
        return 200, {
            "pid": os.getpid(),
            "uptime_s": round(time.time() - self.started, 1),
            "rss_mb": rss_mb(),
            "timings": self.timings,
            "hosts": self.plane.host_status(),
            "faults": self.faults.describe(),
            **simstate.snapshot(),
        }

    @staticmethod
    def transfers(body, **_):
        """Ended live-migration transfers: hosts, outcome, wall begin and end, simulated seconds."""
        return 200, {"transfers": simstate.history()}

    def add_host(self, body, **_):
        spec = fleet.host_spec(body)
        self.plane.add_host(spec)
        return 201, {"host": spec.to_dict()}

    def kill(self, body, host, **_):
        self._known(host)
        return 200, {"host": host, "changed": self.plane.kill(host)}

    def revive(self, body, host, **_):
        self._known(host)
        return 200, {"host": host, "changed": self.plane.revive(host)}

    def _known(self, host):
        if host not in self.plane.computes:
            raise KeyError("unknown host %s" % host)

    @staticmethod
    def set_time_factor(body, **_):
        simstate.set_time_factor(float(body["factor"]))
        return 200, {"time_factor": simstate.time_factor}

    def periodics(self, body, **_):
        return 200, {"hosts": self.plane.run_periodics()}

    def get_faults(self, body, **_):
        return 200, {"rules": self.faults.describe()}

    def set_faults(self, body, **_):
        self.faults.replace(body.get("rules", []))
        return 200, {"rules": self.faults.describe()}

    def clear_faults(self, body, **_):
        self.faults.clear()
        return 200, {"rules": []}

    def set_sim(self, body, server, **_):
        unknown = set(body) - set(_SIM_KEYS)
        if unknown:
            raise ValueError("unknown knobs %s; use %s" % (sorted(unknown), sorted(_SIM_KEYS)))
        metadata = {_SIM_KEYS[k]: str(v).lower() if isinstance(v, bool) else str(v) for k, v in body.items()}
        with self.plane.lock:
            self.plane.api.post_server_metadata(server, metadata)
        return 200, {"server": server, "metadata": metadata}

    def reset(self, body, **_):
        """Undo what tests change: faults, migrations left running, killed computes, time factor."""
        self.faults.clear()
        aborted = self.plane.abort_transfers()
        revived = [h for h in list(self.plane.killed) if self.plane.revive(h)]
        self.plane.clear_forced_down()
        simstate.set_time_factor(self.initial_time_factor)
        return 200, {"aborted": aborted, "revived": revived, "time_factor": simstate.time_factor}
