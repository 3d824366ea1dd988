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
    by_short = _by_short(known)
    resolved, unknown = [], []
    for name in names:
        if not isinstance(name, str) or not name:
            raise InputError(parameter, "host names must be non-empty strings, got %r" % (name,))
        match = _match(name, known, by_short)
        if match is None:
            unknown.append(name)
        elif match not in resolved:
            resolved.append(match)
    if unknown:
        raise InputError(parameter, "unknown host%s %s (known: %s)" % (
            "s" if len(unknown) > 1 else "", ", ".join('"%s"' % n for n in unknown), _sample(known)))
    return resolved


def matches(names, known):
    """{name: the known host it stands for} for each of `names` that matches one; the rest are left out."""
    known = list(known)
    by_short = _by_short(known)
    found = {name: _match(name, known, by_short) for name in names}
    return {name: match for name, match in found.items() if match is not None}


def _by_short(known):
    by_short = {}
    for name in known:
        by_short.setdefault(_short(name), []).append(name)
    return by_short


def _match(name, known, by_short):
    if name in known:
        return name
    candidates = by_short.get(_short(name), [])
    if len(candidates) == 1 and (_short(name) == name or _short(candidates[0]) == candidates[0]):
        return candidates[0]
    return None


def _sample(known, limit=8):
    shown = sorted(known)[:limit]
    return ", ".join(shown) + (", ... %d more" % (len(known) - limit) if len(known) > limit else "")
