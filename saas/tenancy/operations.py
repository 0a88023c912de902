"""Loading the declarative tenant files of tenants/ into the database, idempotently."""

import dataclasses
import json
import re
import tomllib
import zoneinfo
from pathlib import Path

import sqlalchemy as sa

from saas.audit.operations import record
from saas.core.extensions import db
from saas.tenancy.legal_rules import rules_for
from saas.tenancy.models import Assembly, AssemblyKind, PoliticalGroup, PoliticalGroupKind, Tenant, TenantKind

TENANT_FIELDS = (
    "name",
    "kind",
    "siren",
    "siret",
    "population",
    "timezone",
    "is_coordinator",
    "require_mfa_for_members",
    "actes_departement",
    "actes_arrondissement",
    "actes_nature",
    "actes_email",
)


#: the @ctes identity of a tenant file (saas.prefecture checks the nature against its list)
ACTES_PATTERNS = {
    "actes_departement": r"[0-9]{2}[0-9AB]",
    "actes_arrondissement": r"[0-9]",
    "actes_nature": r"[1-5][1-9]",
    "actes_email": r"[^@\s]+@[^@\s]+\.[^@\s]+",
}


class TenantFileError(ValueError):
    pass


@dataclasses.dataclass
class LoadReport:
    created: list[str] = dataclasses.field(default_factory=list)
    updated: list[str] = dataclasses.field(default_factory=list)
    unchanged: list[str] = dataclasses.field(default_factory=list)


def _values(enum_cls) -> set[str]:
    return {member.value for member in enum_cls}


def check_tenant_values(name: str, data: dict) -> None:
    """The checks a tenant file passes, for the values of file ``name`` (or of a console form)."""

    def fail(message: str):
        raise TenantFileError(f"{name}: {message}")

    for key in ("slug", "name", "kind", "siren", "population"):
        if key not in data:
            fail(f"missing {key!r}")
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,62}", data["slug"]):
        fail("slug must be lower-case letters, digits and dashes")
    if data["kind"] not in _values(TenantKind):
        fail(f"kind must be one of {', '.join(TenantKind)}")
    if not re.fullmatch(r"\d{9}", data["siren"]):
        fail("siren must be 9 digits")
    if "siret" in data and not (re.fullmatch(r"\d{14}", data["siret"]) and data["siret"].startswith(data["siren"])):
        fail("siret must be 14 digits starting with the siren")
    for key, pattern in ACTES_PATTERNS.items():
        if key in data and not (isinstance(data[key], str) and re.fullmatch(pattern, data[key])):
            fail(f"{key} must match {pattern}")
    if not isinstance(data["population"], int) or data["population"] < 0:
        fail("population must be a whole number")
    try:
        zoneinfo.ZoneInfo(data.get("timezone", "Europe/Paris"))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        fail(f"unknown time zone {data.get('timezone')!r}")
    keys = [a.get("key") for a in data.get("assemblies", [])]
    if len(keys) != len(set(keys)) or None in keys:
        fail("every assembly needs a unique key")
    for assembly in data.get("assemblies", []):
        if assembly.get("kind") not in _values(AssemblyKind):
            fail(f"assembly {assembly['key']!r}: kind must be one of {', '.join(AssemblyKind)}")
    for group in data.get("political_groups", []):
        if group.get("kind", "other") not in _values(PoliticalGroupKind):
            fail(f"political group {group.get('name')!r}: kind must be one of {', '.join(PoliticalGroupKind)}")
    rules_for(TenantKind(data["kind"]), data["population"])


def _apply(obj: object, values: dict) -> bool:
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def load_tenant_file(path: Path) -> tuple[Tenant, str]:
    """Create or update one tenant from its file. Returns the tenant and created/updated/unchanged.

    Assemblies and groups are matched by key and name; those missing from the file are kept (council
    records are never deleted), so an admin's additions in the screens survive a reload.
    """
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    check_tenant_values(path.name, data)
    values = {key: data[key] for key in TENANT_FIELDS if key in data}
    values["kind"] = TenantKind(values["kind"])
    values.setdefault("timezone", "Europe/Paris")
    tenant = db.session.execute(sa.select(Tenant).where(Tenant.slug == data["slug"])).scalar_one_or_none()
    created = tenant is None
    if created:
        tenant = Tenant(slug=data["slug"], **values)
        db.session.add(tenant)
        db.session.flush()
    changed = not created and _apply(tenant, values)

    assemblies = {
        a.key: a for a in db.session.execute(sa.select(Assembly).where(Assembly.tenant_id == tenant.id)).scalars()
    }
    for spec in data.get("assemblies", []):
        spec_values = {"name": spec["name"], "kind": AssemblyKind(spec["kind"]), "seats": spec.get("seats")}
        if spec["key"] in assemblies:
            changed |= _apply(assemblies[spec["key"]], spec_values)
        else:
            db.session.add(Assembly(tenant_id=tenant.id, key=spec["key"], **spec_values))
            changed = True

    groups = {
        g.name: g
        for g in db.session.execute(sa.select(PoliticalGroup).where(PoliticalGroup.tenant_id == tenant.id)).scalars()
    }
    for spec in data.get("political_groups", []):
        kind = PoliticalGroupKind(spec.get("kind", "other"))
        if spec["name"] in groups:
            changed |= _apply(groups[spec["name"]], {"kind": kind})
        else:
            db.session.add(PoliticalGroup(tenant_id=tenant.id, name=spec["name"], kind=kind))
            changed = True

    db.session.flush()
    outcome = "created" if created else "updated" if changed else "unchanged"
    if outcome != "unchanged":
        record(f"tenant.{outcome}", tenant_id=tenant.id, obj=tenant, data={"file": path.name})
    return tenant, outcome


def load_tenant_files(folder: Path) -> LoadReport:
    report = LoadReport()
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise TenantFileError(f"no *.toml file in {folder}")
    for path in files:
        tenant, outcome = load_tenant_file(path)
        getattr(report, outcome).append(tenant.slug)
    return report


def _toml_value(value) -> str:
    """A TOML scalar: JSON's string escapes are valid TOML basic-string escapes."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)


def export_tenant_file(tenant: Tenant) -> str:
    """The tenant in the tenants/*.toml format, which ``load_tenant_file`` reads back to the same tenant.

    Its assemblies (archived ones included: they are part of its records) and political groups are read
    in the caller's context, which must be the tenant's or the system's.
    """
    lines = [f"# {tenant.name} — exported by Quorum."]
    for key in ("slug", *TENANT_FIELDS):
        value = getattr(tenant, key)
        if value is not None:
            lines.append(f"{key} = {_toml_value(value)}")
    assemblies = db.session.execute(
        sa.select(Assembly).where(Assembly.tenant_id == tenant.id).order_by(Assembly.id)
    ).scalars()
    for assembly in assemblies:
        lines += ["", "[[assemblies]]", f"key = {_toml_value(assembly.key)}", f"name = {_toml_value(assembly.name)}"]
        lines.append(f"kind = {_toml_value(assembly.kind.value)}")
        if assembly.seats is not None:
            lines.append(f"seats = {assembly.seats}")
    groups = db.session.execute(
        sa.select(PoliticalGroup).where(PoliticalGroup.tenant_id == tenant.id).order_by(PoliticalGroup.id)
    ).scalars()
    for group in groups:
        lines += ["", "[[political_groups]]", f"name = {_toml_value(group.name)}"]
        lines.append(f"kind = {_toml_value(group.kind.value)}")
    return "\n".join(lines) + "\n"
