"""API errors, rendered as the meta/v1 Status objects every Kubernetes client expects."""

REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    410: "Expired",
    415: "UnsupportedMediaType",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
}


class ApiError(Exception):
    def __init__(self, code, message, reason=None, details=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason or REASONS.get(code, "Unknown")
        self.details = details

    def status(self):
        body = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if self.details:
            body["details"] = self.details
        return body


def not_found(resource, name):
    return ApiError(404, f'{resource.qualified} "{name}" not found',
                    details={"name": name, "group": resource.group, "kind": resource.plural})


def already_exists(resource, name):
    return ApiError(409, f'{resource.qualified} "{name}" already exists', reason="AlreadyExists",
                    details={"name": name, "group": resource.group, "kind": resource.plural})


def conflict(resource, name):
    return ApiError(
        409,
        f'Operation cannot be fulfilled on {resource.qualified} "{name}": the object has been '
        "modified; please apply your changes to the latest version and try again",
        details={"name": name, "group": resource.group, "kind": resource.plural})


def gone(rv):
    return ApiError(410, f"too old resource version: {rv}", reason="Expired")


def invalid(resource, name, field, message, kind=None):
    return ApiError(
        422, f'{kind or resource.kind} "{name}" is invalid: {field}: {message}',
        details={"name": name, "group": resource.group, "kind": kind or resource.kind,
                 "causes": [{"reason": "FieldValueInvalid", "message": message, "field": field}]})
