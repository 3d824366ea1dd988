# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reads retried with exponential backoff, for the API adapters (writes are never retried blindly)."""

from __future__ import annotations

READ_RETRIES = 4
READ_BACKOFF_S = 0.5


def retry_read(call, is_transient, sleep):
    """`call()`, asked again after 0.5, 1, 2 and 4 s while it raises an error `is_transient` accepts;
    any other error, or the last one, is raised as it is."""
    for attempt in range(READ_RETRIES + 1):
        try:
            return call()
        except Exception as error:
            if attempt == READ_RETRIES or not is_transient(error):
                raise
            sleep(READ_BACKOFF_S * 2 ** attempt)
    raise AssertionError("unreachable")
