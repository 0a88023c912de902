"""The areas of the platform, in dependency order; each may have models.py, jobs.py, views.py…"""

import importlib

AREAS = (
    "tenancy",
    "identity",
    "audit",
    "jobs",
    "mail",
    "storage",
    "signing",
    "sittings",
    "documents",
    "platform",
    "admin",
    "groupement",
)


def import_modules(kind: str) -> None:
    """Import ``saas.<area>.<kind>`` for every area that has one (models, jobs…)."""
    for area in AREAS:
        try:
            importlib.import_module(f"saas.{area}.{kind}")
        except ModuleNotFoundError as error:
            if error.name != f"saas.{area}.{kind}":
                raise
