"""The twin's identity stand-in under /_twin/identity: just enough of Keystone v3 for keystoneauth.

Version discovery, and POST /v3/auth/tokens for password, application-credential and token
auth. Every secret is accepted except the ones in REFUSED, so tests can show both a working
login with distinctive secrets and a refused one. The issued token makes the caller admin of
the twin's project (see gateway.identity).
"""
import datetime
import json

from twin.nova.responses import json_response

# The secrets (password, application-credential secret or token) the twin turns away with 401.
REFUSED = ("twin-wrong-secret", "twin-expired-token")
_METHOD_SECRET = {"password": ("user", "password"), "application_credential": ("secret",), "token": ("id",)}


def refused(secret):
    return secret in REFUSED


def unauthorized(start_response, message):
    return json_response(start_response, 401, {"error": {"code": 401, "title": "Unauthorized", "message": message}})


class Identity:
    def __init__(self, project):
        self.project = project

    def __call__(self, environ, start_response):
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "").rstrip("/")
        base = "%s://%s" % (environ.get("wsgi.url_scheme", "http"), environ.get("HTTP_HOST", "127.0.0.1"))
        if method == "GET" and path in ("/_twin/identity", "/_twin/identity/v3"):
            return json_response(start_response, 200, self.version(base))
        if method == "POST" and path == "/_twin/identity/v3/auth/tokens":
            return self.issue(environ, start_response, base)
        return json_response(start_response, 404, {"error": {"code": 404, "message": "no identity call %s %s"
                                                             % (method, path)}})

    @staticmethod
    def version(base):
        # openstackclient insists on discovering an identity v3 endpoint (recipe trap 12).
        return {"version": {
            "id": "v3.14",
            "status": "stable",
            "updated": "2020-04-07T00:00:00Z",
            "links": [{"rel": "self", "href": base + "/_twin/identity/v3"}],
            "media-types": [{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}],
        }}

    def issue(self, environ, start_response, base):
        try:
            methods = self._methods(environ)
        except (ValueError, KeyError, TypeError) as exc:
            return json_response(start_response, 400, {"error": {"code": 400, "message": "bad auth request: %s" % exc}})
        if any(refused(secret) for secret in methods.values()):
            return unauthorized(start_response, "The request you have made requires authentication.")
        token = "admin:" + self.project
        return json_response(start_response, 201, self.token_body(sorted(methods), base), [("X-Subject-Token", token)])

    @staticmethod
    def _methods(environ):
        """{auth method: its secret} from the request body."""
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        identity = json.loads(raw)["auth"]["identity"]
        found = {}
        for name in identity["methods"]:
            value = identity[name]
            for key in _METHOD_SECRET[name]:
                value = value[key]
            found[name] = value
        return found

    def token_body(self, methods, base):
        expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
        endpoints = {"compute": base + "/v2.1", "identity": base + "/_twin/identity/v3"}
        return {"token": {
            "methods": methods,
            "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%S.000000Z"),
            "issued_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000000Z"),
            "user": {"id": "admin", "name": "admin", "domain": {"id": "default", "name": "Default"}},
            "project": {"id": self.project, "name": "admin", "domain": {"id": "default", "name": "Default"}},
            "roles": [{"id": role, "name": role} for role in ("admin", "member", "reader")],
            "catalog": [{"type": kind, "name": kind, "id": kind, "endpoints": [
                {"id": "%s-%s" % (kind, interface), "interface": interface, "region": "RegionOne",
                 "region_id": "RegionOne", "url": url} for interface in ("public", "internal", "admin")]}
                for kind, url in endpoints.items()],
        }}
