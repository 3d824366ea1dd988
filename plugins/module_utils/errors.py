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
