# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Exact host-name matching, with TripleO's short name <-> FQDN equivalence.

`compute-1` never matches `compute-10`: a name matches a host when it is equal to it, or when
one is the other's first DNS label and that label is unique in the cluster
(`overcloud-novacompute-0` <-> `overcloud-novacompute-0.localdomain`).
"""

from __future__ import annotations

from ansible_collections.vmops.migration.plugins.module_utils.errors import InputError


def _short(name):
    return name.split(".", 1)[0]


def resolve(names, known, parameter="hosts"):
    """Map each wanted name to a known host name; raise InputError listing every unknown one."""
    if isinstance(names, str) or not isinstance(names, (list, tuple, set)):
        raise InputError(parameter, "must be a list of host names, got %r" % (names,))
    known = list(known)
    by_short = {}
    for name in known:
        by_short.setdefault(_short(name), []).append(name)
    resolved, unknown = [], []
    for name in names:
        if not isinstance(name, str) or not name:
            raise InputError(parameter, "host names must be non-empty strings, got %r" % (name,))
        if name in known:
            match = name
        else:
            matches = by_short.get(_short(name), [])
            match = matches[0] if len(matches) == 1 and (_short(name) == name or _short(matches[0]) == matches[0]) else None
        if match is None:
            unknown.append(name)
        elif match not in resolved:
            resolved.append(match)
    if unknown:
        raise InputError(parameter, "unknown host%s %s (known: %s)" % (
            "s" if len(unknown) > 1 else "", ", ".join('"%s"' % n for n in unknown), _sample(known)))
    return resolved


def _sample(known, limit=8):
    shown = sorted(known)[:limit]
    return ", ".join(shown) + (", ... %d more" % (len(known) - limit) if len(known) > limit else "")
