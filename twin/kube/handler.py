"""HTTP plumbing: authenticate, route, encode JSON (chunked for watches), map errors to Status."""
import json
import logging
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

from . import discovery, openapi, routes, table, watch
from .errors import ApiError

log = logging.getLogger("twin.kube")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive, and chunked watch streams
    server_version = "vmops-kube-twin"

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")

    def do_PUT(self):
        self._serve("PUT")

    def do_PATCH(self):
        self._serve("PATCH")

    def do_DELETE(self):
        self._serve("DELETE")

    def log_message(self, fmt, *args):
        log.debug("%s " + fmt, self.address_string(), *args)

    # ---------------------------------------------------------------------------------
    def _serve(self, method):
        twin = self.server.twin
        try:
            body = self._body()
            path = urlsplit(self.path).path.rstrip("/")
            if path in ("/healthz", "/livez", "/readyz"):
                return self._send_text(200, "ok")
            user = twin.authorizer.user(self.headers.get("Authorization"))
            if path.startswith("/_twin/"):
                twin.authorizer.check(user, "*", "twin", "control", "")
                return self._send(*twin.control.handle(method, path, body))
            target = routes.resolve(method, self.path)
            if target is None:
                return self._send(*self._discovery(path))
            if target.watching:
                twin.authorizer.check(user, "watch", target.res.group, target.rbac_resource,
                                      target.namespace)
                return self._watch(target)
            code, obj = twin.api.handle(method, target, body, user,
                                        self.headers.get("Content-Type"))
            if self._wants_table() and target.verb in ("get", "list"):
                obj = table.render(target.res, obj, twin.clock.now())
            self._send(code, obj)
        except ApiError as err:
            self._send(err.code, err.status())
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as err:  # a twin bug must still answer like an API server
            log.exception("internal error")
            self._send(500, ApiError(500, f"twin internal error: {err!r}").status())

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if not length:
            return None
        raw = self.rfile.read(length)
        try:
            return json.loads(raw)
        except ValueError:
            raise ApiError(400, "the request body is not valid JSON") from None

    def _discovery(self, path):
        if path == "/version":
            return 200, discovery.VERSION
        if path == "/api":
            return 200, discovery.core_versions()
        if path == "/apis":
            return 200, discovery.group_list()
        if path == "/openapi/v3":
            return 200, openapi.index()
        if path.startswith("/openapi/v3/"):
            doc = openapi.group_version(path[len("/openapi/v3/"):])
            if doc is not None:
                return 200, doc
        parts = path.strip("/").split("/")
        doc = None
        if len(parts) == 2 and parts[0] == "api":
            doc = discovery.resource_list("", parts[1])
        elif len(parts) == 2 and parts[0] == "apis":
            doc = discovery.group(parts[1])
        elif len(parts) == 3 and parts[0] == "apis":
            doc = discovery.resource_list(parts[1], parts[2])
        if doc is None:
            raise ApiError(404, "the server could not find the requested resource")
        return 200, doc

    def _wants_table(self):
        return "as=Table" in (self.headers.get("Accept") or "")

    def _send(self, code, obj):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send_text(self, code, text):
        data = text.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _watch(self, target):
        as_table = self._wants_table()
        clock = self.server.twin.clock
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        def send(kind, obj):
            if as_table and kind != "ERROR":
                obj = table.render(target.res, obj, clock.now())
            data = json.dumps({"type": kind, "object": obj}).encode() + b"\n"
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

        try:
            watch.stream(self.server.twin.store, target, send, self.server.twin.stopping)
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True
