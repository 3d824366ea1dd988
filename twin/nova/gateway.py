"""WSGI fronts for nova-api and Placement: auth shim, the one API lock, faults, counting."""
import io
import re
import time

from twin.nova.identity import Identity, refused, unauthorized
from twin.nova.responses import json_response

ADMIN_ROLES = "admin,member,reader"
_LIVE_MIGRATE = re.compile(r"^/v2(?:\.1)?/(?:[0-9a-f]{32}/)?servers/([^/]+)/action$")
_FAULT_KEYS = {500: "computeFault", 502: "computeFault", 503: "serviceUnavailable", 504: "computeFault"}


def identity(environ, default_project):
    """Nova 34 has no noauth2: ``user:project`` tokens pick a user, anything else is admin
    (a refused token, see identity.REFUSED, is no one: None)."""
    token = environ.get("HTTP_X_AUTH_TOKEN", "")
    if refused(token):
        return None
    user, sep, project = token.partition(":")
    if sep and user and project:
        return user, project
    return "admin", default_project


def _run_locked(lock, app, environ):
    """Run the app to completion under the lock: its body iterator may still touch the DB."""
    captured = {}

    def start_response(status, headers, exc_info=None):
        captured["status"], captured["headers"] = status, headers
        return lambda data: captured.setdefault("early", []).append(data)

    with lock:
        result = app(environ, start_response)
        try:
            body = captured.get("early", []) + list(result)
        finally:
            if hasattr(result, "close"):
                result.close()
    return captured["status"], captured["headers"], body


class NovaGateway:
    def __init__(self, app, lock, faults, control, default_project, count_live_migrate):
        self.app = app
        self.lock = lock
        self.faults = faults
        self.control = control
        self.default_project = default_project
        self.count_live_migrate = count_live_migrate
        self.identity = Identity(default_project)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_twin/identity"):
            return self.identity(environ, start_response)
        if path.startswith("/_twin/"):
            return self.control(environ, start_response)
        method = environ["REQUEST_METHOD"]
        self._count_live_migrate(environ, method, path)
        verdict = self.faults.judge(method, path)
        if verdict.delay_s:
            time.sleep(verdict.delay_s)
        if verdict.reject:
            return self._fault(start_response, verdict.reject, "error")
        caller = identity(environ, self.default_project)
        if caller is None:
            return unauthorized(start_response, "The token is expired or invalid.")
        user, project = caller
        environ["HTTP_X_AUTH_USER"] = user
        environ["HTTP_X_AUTH_PROJECT_ID"] = project
        environ["HTTP_X_ROLES"] = ADMIN_ROLES if user == "admin" else "member,reader"
        status, headers, body = _run_locked(self.lock, self.app, environ)
        if verdict.lose:
            return self._fault(start_response, verdict.lose, "lost")
        start_response(status, headers)
        return body

    def _count_live_migrate(self, environ, method, path):
        match = _LIVE_MIGRATE.match(path) if method == "POST" else None
        if not match:
            return
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        if b"os-migrateLive" in body:
            self.count_live_migrate(match.group(1))

    @staticmethod
    def _fault(start_response, status, kind):
        message = "injected by the twin (%s)" % kind
        payload = {_FAULT_KEYS[status]: {"code": status, "message": message}}
        return json_response(start_response, status, payload, [("X-Twin-Fault", kind)])


class PlacementGateway:
    def __init__(self, app, lock):
        self.app = app
        self.lock = lock

    def __call__(self, environ, start_response):
        # Placement's noauth middleware makes an admin context from the token "admin".
        environ["HTTP_X_AUTH_TOKEN"] = "admin"
        status, headers, body = _run_locked(self.lock, self.app, environ)
        start_response(status, headers)
        return body
