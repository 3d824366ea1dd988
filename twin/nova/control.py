"""Client for the twin's /_twin control endpoint (stdlib only, usable from any venv)."""
import json
import ssl
import urllib.error
import urllib.request


class ControlError(RuntimeError):
    pass


class TwinControl:
    def __init__(self, base_url, timeout=60, ca_cert=None):
        """``ca_cert``: the CA of a twin started with --tls (its twin.json ``ca_cert``)."""
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.context = ssl.create_default_context(cafile=ca_cert) if ca_cert else None

    def _call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout, context=self.context) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise ControlError("%s %s: %s %s" % (method, path, exc.code, exc.read().decode(errors="replace")))

    def status(self):
        return self._call("GET", "/status")

    def transfers(self):
        """The ended transfers, oldest first (see ControlApi.transfers)."""
        return self._call("GET", "/transfers")["transfers"]

    def kill(self, host):
        """Stop the host's nova-compute; the API notices only when it is forced down or times out."""
        return self._call("POST", "/hosts/%s/kill" % host)

    def revive(self, host):
        """Start the host's nova-compute again, keeping its guests."""
        return self._call("POST", "/hosts/%s/revive" % host)

    def add_host(self, name, **spec):
        return self._call("POST", "/hosts", dict(spec, name=name))

    def set_time_factor(self, factor):
        return self._call("PUT", "/time-factor", {"factor": factor})

    def run_periodics(self):
        return self._call("POST", "/periodics")

    def set_sim(self, server_id, dirty_mibps=None, bw_mibps=None, fail=None):
        """Set a server's migration knobs (they are server metadata, read when a migration starts)."""
        knobs = {"dirty_mibps": dirty_mibps, "bw_mibps": bw_mibps, "fail": fail}
        return self._call("POST", "/servers/%s/sim" % server_id, {k: v for k, v in knobs.items() if v is not None})

    def set_faults(self, *rules):
        """Replace the fault rules; each is a dict of faults.Rule's arguments."""
        return self._call("PUT", "/faults", {"rules": list(rules)})

    def inject(self, mode="error", rate=1.0, status=503, delay_s=0.0, methods=None, path=None, seed=0, limit=None):
        rule = {"mode": mode, "rate": rate, "status": status, "delay_s": delay_s,
                "methods": methods, "path": path, "seed": seed, "limit": limit}
        return self.set_faults(rule)

    def faults(self):
        return self._call("GET", "/faults")["rules"]

    def clear_faults(self):
        return self._call("DELETE", "/faults")

    def reset(self):
        """Clear faults, revive killed computes and restore the starting time factor."""
        return self._call("POST", "/reset")

    def live_migrate_posts(self, server_id):
        return self.status()["live_migrate_posts"].get(server_id, 0)
