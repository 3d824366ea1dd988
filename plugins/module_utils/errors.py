# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# Apache License 2.0 (see LICENSE)
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
