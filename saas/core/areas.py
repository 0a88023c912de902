"""The areas of the platform and their sub-areas, lowest layer first (docs/architecture.md).

Every area and sub-area is a package with the same file names (``models.py``, ``operations.py``,
``schemas.py``, ``api.py``, ``views.py``, ``jobs.py``, ``cli.py``). Registration goes by this list and
those names alone: the models of every ``models.py``, the jobs of every ``jobs.py``, the blueprints of
every ``views.py`` and ``api.py``, the commands of every ``cli.py``. A new sub-area is one line here.
"""

import importlib
from collections.abc import Iterator
from types import ModuleType

AREAS = (
    "core",
    "audit",
    "jobs",
    "storage",
    "mail",
    "tenancy",
    "identity",
    "identity.mandates",
    "trust",
    "sittings",
    "sittings.convocations",
    "sittings.attendance",
    "sittings.proof",
    "sittings.roll_call",
    "sittings.votes",
    "reports",
    "reports.agenda",
    "documents",
    "documents.intake",
    "documents.supplements",
    "documents.annotations",
    "documents.board_book",
    "documents.dossier",
    "documents.viewer",
    "signing",
    "signing.book",
    "workflow",
    "workflow.editor",
    "workflow.board",
    "workflow.reports",
    "workflow.inbox",
    "workflow.absences",
    "acts",
    "acts.register",
    "acts.minutes",
    "prefecture",
    "portal",
    "portal.opendata",
    "groupement",
    "groupement.agreement",
    "groupement.contracts",
    "groupement.devices",
    "groupement.statements",
    "admin",
    "operator",
)


def modules(kind: str) -> Iterator[ModuleType]:
    """``saas.<area>.<kind>`` of every area and sub-area that has one, in the order of ``AREAS``."""
    for area in AREAS:
        name = f"saas.{area}.{kind}"
        try:
            yield importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise


def import_modules(kind: str) -> None:
    """Import ``saas.<area>.<kind>`` everywhere it exists (models, jobs…), so that what they declare is known."""
    for _ in modules(kind):
        pass
