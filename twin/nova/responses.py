"""JSON answers of the twin's WSGI fronts."""
import json

_REASONS = {201: "Created", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 500: "Internal Server Error",
            502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


def json_response(start_response, status, payload, extra_headers=()):
    body = json.dumps(payload).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    start_response("%d %s" % (status, _REASONS.get(status, "OK")), headers + list(extra_headers))
    return [body]
