"""The documents the portal can make, each a ``ReportKind``.

A kind says which parameters it takes (``clean``), who may see a document
with those parameters (``can_view``), and how to build it (``build``: the
template's context, its title, file name and the private files it shows).
Kinds are registered by the modules in SOURCES, imported on first use; the
experiments' reports add their module there.
"""

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

SOURCES = [
    "reports.documents",
    "experiments.report_documents",
]


@dataclass(frozen=True)
class Document:
    """What a kind's ``build`` returns."""

    template: str
    context: dict
    title: str
    filename: str
    private_files: tuple = ()


@dataclass(frozen=True)
class ReportKind:
    code: str
    label: str
    clean: Callable[[dict], dict]
    """Checks and normalises the parameters; raises ValidationError."""
    build: Callable[[dict, str], Document]
    """(parameters, language) → Document; raises ObjectGone when its subject was deleted."""
    can_view: Callable[[object, dict], bool]
    """(user, parameters) → may this user see (and ask for) this document?"""
    requestable: Callable[[object], list] = field(default=lambda user: [])
    """(user) → [(label, parameters)] this user may ask for from the reports page."""
    parameters_from: Callable[[object], dict] | None = None
    """For mail attachments: the parameters of this document about an object."""


class ObjectGone(Exception):
    """The subject of a report no longer exists."""


_KINDS: dict[str, ReportKind] = {}
_loaded = False


def register(kind: ReportKind) -> ReportKind:
    _KINDS[kind.code] = kind
    return kind


def report_kinds() -> dict[str, ReportKind]:
    global _loaded
    if not _loaded:
        for source in SOURCES:
            importlib.import_module(source)
        _loaded = True
    return _KINDS


def report_kind(code: str) -> ReportKind:
    kinds = report_kinds()
    if code not in kinds:
        raise KeyError(code)
    return kinds[code]
