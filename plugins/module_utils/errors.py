# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's own exceptions. Core and adapters raise these; only module wrappers,
filters and scripts turn them into messages for people."""

from __future__ import annotations


class VmopsError(Exception):
    """Base class of every error this collection raises on purpose."""


class InputError(VmopsError):
    """A parameter is wrong: `parameter` names it, `problem` says what is wrong."""

    def __init__(self, parameter, problem):
        self.parameter = parameter
        self.problem = problem
        super().__init__("%s: %s" % (parameter, problem))


class NotFound(VmopsError):
    """An object the caller named does not exist: `kind` (server, host, migration) and `key`."""

    def __init__(self, kind, key, hint=None):
        self.kind = kind
        self.key = key
        super().__init__("%s %s not found%s" % (kind, key, "; " + hint if hint else ""))


class MigrationFailed(VmopsError):
    """A move failed: `code` is one of failures.CODES (stable API), `message` the API's words."""

    def __init__(self, code, message, target=None):
        self.code = code
        self.message = message
        self.target = target
        super().__init__("%s: %s" % (code, message))


class AnswerLost(VmopsError):
    """A write was sent but its answer never came (5xx, timeout, dropped connection): it may or
    may not have happened, so the caller must look before sending it again."""


class TargetUnavailable(VmopsError):
    """The named target cannot take the move; `reasons` are the constraint reasons (dicts)."""

    def __init__(self, target, reasons):
        self.target = target
        self.reasons = list(reasons)
        self.details = {"reasons": self.reasons}
        super().__init__("target %s is blocked: %s" % (target, "; ".join(
            "%s (%s)" % (reason["code"], reason["message"]) for reason in self.reasons)))


class NotAuthorized(VmopsError):
    """The API refused the caller (HTTP 401: who are you; 403: not allowed): `status`, `message`."""

    def __init__(self, status, message):
        self.status = status
        self.message = message
        self.details = {"status": status}
        super().__init__(message)


class ApiRefused(VmopsError):
    """The API answered but refused the request (conflict, invalid, admission denial, throttled,
    server error): `status` is the HTTP code, `message` the API's own words."""

    def __init__(self, status, message):
        self.status = status
        self.message = message
        self.details = {"status": status}
        super().__init__(message)


class MovesBlocked(VmopsError):
    """Constraint rules stop some of the requested moves; `blocked` lists each instance with its
    reasons (dicts), `reasons` all of them, so the caller sees every problem at once."""

    def __init__(self, blocked, total):
        self.blocked = list(blocked)
        self.reasons = [dict(reason, instance=entry["instance"]) for entry in self.blocked for reason in entry["reasons"]]
        self.details = {"blocked": self.blocked, "reasons": self.reasons}
        super().__init__("%d of %d instances cannot be migrated, nothing was changed: %s" % (
            len(self.blocked), total, "; ".join(
                "%s (%s)" % (entry["instance"], ", ".join(sorted({reason["code"] for reason in entry["reasons"]
                                                                  if reason["severity"] == "block"})))
                for entry in self.blocked)))
