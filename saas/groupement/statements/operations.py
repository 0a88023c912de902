"""Cost statements: a contract's amounts for a period shared between the members under one key.

Every invoiced item (a lot's equipment, licences, support) is split separately with ``cost_sharing.split``,
so each item — and therefore the whole contract — adds up exactly to the cent. A statement is issued
once and kept as issued (its lines and the weights used), so a later change of mandates or population
never rewrites what a member was sent.
"""

import csv
import io
from datetime import date
from decimal import Decimal
from fractions import Fraction

import sqlalchemy as sa

from saas.audit.operations import record
from saas.core import display
from saas.core.extensions import db
from saas.core.printing import render_pdf
from saas.groupement.devices.operations import group_members
from saas.groupement.models import (
    Contract,
    Device,
    DeviceStatus,
    Membership,
    PurchasingGroup,
    SharingKey,
    Statement,
    StatementLine,
)
from saas.groupement.operations import PurchasingError, active_memberships
from saas.groupement.statements import cost_sharing
from saas.identity.models import Person

KEY_LABELS = {
    SharingKey.EQUAL: "parts égales",
    SharingKey.EQUIPPED_MEMBERS: "au prorata des élus équipés",
    SharingKey.POPULATION: "au prorata de la population",
    SharingKey.FIXED: "pourcentages fixes",
}
KEY_EXPLANATIONS = {
    SharingKey.EQUAL: "Chaque membre paie la même part.",
    SharingKey.EQUIPPED_MEMBERS: "Chaque élu doté d'un équipement compte pour 1/k dans chacune des k collectivités "
    "membres où il a un mandat, ou pour 1 dans la collectivité principale choisie dans son profil.",
    SharingKey.POPULATION: "Chaque membre paie au prorata de sa population légale.",
    SharingKey.FIXED: "Chaque membre paie le pourcentage fixé par la convention (100 % au total).",
}


def invoiced_items(contract: Contract, includes_equipment: bool) -> list[tuple[str, int]]:
    """What the period invoices: each lot's licences and support, and its equipment when included."""
    items = []
    for lot in contract.lots:
        amounts = [
            ("équipement", lot.equipment_cents if includes_equipment else 0),
            ("licences", lot.licences_cents_per_year),
            ("support", lot.support_cents_per_year),
        ]
        items += [(f"Lot {lot.number} — {label}", cents) for label, cents in amounts if cents > 0]
    return items


def key_weights(
    group: PurchasingGroup, members: list[Membership], key: SharingKey, percentages: dict | None = None
) -> dict[int, Fraction]:
    """Each member collectivity's weight under ``key``, by tenant id."""
    tenant_ids = [m.tenant_id for m in members]
    if key == SharingKey.EQUAL:
        return cost_sharing.equal_weights(tenant_ids)
    if key == SharingKey.POPULATION:
        return cost_sharing.population_weights({m.tenant_id: m.tenant.population for m in members})
    if key == SharingKey.FIXED:
        return cost_sharing.percentage_weights(tenant_ids, percentages or {})
    equipped = set(
        db.session.execute(
            sa.select(Device.person_id).where(Device.group_id == group.id, Device.status == DeviceStatus.ASSIGNED)
        ).scalars()
    )
    people = [p for p in group_members(group) if p.person_id in equipped]
    return cost_sharing.equipped_member_weights(
        tenant_ids,
        {p.person_id: set(p.mandates) for p in people},
        {p.person_id: p.primary_tenant_id for p in people},
    )


def preview(
    group: PurchasingGroup, contract: Contract, key: SharingKey, includes_equipment: bool, percentages=None
) -> dict[int, dict[str, int]]:
    """The shares a statement would give, by tenant id then item, without issuing it."""
    members = active_memberships(group)
    if not members:
        raise PurchasingError("Le groupement n'a aucun membre actif.")
    weights = key_weights(group, members, key, percentages)
    items = invoiced_items(contract, includes_equipment)
    if not items:
        raise PurchasingError("Ce marché n'a aucun montant à répartir pour cette période.", "contract")
    shares: dict[int, dict[str, int]] = {tenant_id: {} for tenant_id in weights}
    for item, cents in items:
        for tenant_id, share in cost_sharing.split(cents, weights).items():
            shares[tenant_id][item] = share
    return shares


def issue(
    group: PurchasingGroup,
    contract: Contract,
    period: str,
    key: SharingKey,
    includes_equipment: bool,
    actor: Person | None,
    percentages: dict[int, Decimal] | None = None,
) -> Statement:
    """Share the contract's amounts for ``period`` between the active members, and keep it as issued."""
    if contract.group_id != group.id:
        raise PurchasingError("Ce marché n'est pas un marché du groupement.", "contract")
    members = active_memberships(group)
    try:
        weights = key_weights(group, members, key, percentages) if members else {}
        shares = preview(group, contract, key, includes_equipment, percentages)
    except cost_sharing.SharingError as error:
        raise PurchasingError(str(error), "key") from error
    total = sum(weights.values(), Fraction(0))
    statement = Statement(
        group_id=group.id,
        contract=contract,
        period=period.strip(),
        key=key,
        includes_equipment=includes_equipment,
        weights={str(t): cost_sharing.describe_weight(w, total) for t, w in weights.items()},
        issued_by_id=actor.id if actor else None,
    )
    db.session.add(statement)
    items = dict(invoiced_items(contract, includes_equipment))
    for tenant_id, by_item in shares.items():
        for item, share in by_item.items():
            statement.lines.append(
                StatementLine(tenant_id=tenant_id, item=item, invoiced_cents=items[item], share_cents=share)
            )
    db.session.flush()
    record(
        "purchasing.statement.issued",
        actor_id=actor.id if actor else None,
        obj=statement,
        data={"contract_id": contract.id, "period": statement.period, "key": key.value},
    )
    return statement


def statements(group: PurchasingGroup) -> list[Statement]:
    return list(
        db.session.execute(
            sa.select(Statement).where(Statement.group_id == group.id).order_by(Statement.issued_at.desc())
        ).scalars()
    )


def member_lines(statement: Statement, tenant_id: int) -> list[StatementLine]:
    return [line for line in statement.lines if line.tenant_id == tenant_id]


def totals(statement: Statement) -> dict[int, int]:
    """Each member's total in cents, by tenant id."""
    result: dict[int, int] = {}
    for line in statement.lines:
        result[line.tenant_id] = result.get(line.tenant_id, 0) + line.share_cents
    return result


def euros(cents: int) -> str:
    """The CSV's notation: a decimal comma and no thousands separator, e.g. 1234,56, so that spreadsheets read
    it as a number (pages and PDFs show amounts with the ``cents`` filter of saas.core.display)."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100},{abs(cents) % 100:02d}"


def member_csv(statement: Statement, membership: Membership) -> str:
    """The member's statement as CSV: ';' separated, decimal comma, amounts in euros."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Collectivité", "Marché", "Période", "Clé de répartition", "Part de la collectivité", "Poste",
                     "Montant facturé (EUR)", "Part de la collectivité (EUR)"])  # fmt: skip
    head = [
        membership.tenant.name,
        statement.contract.reference,
        statement.period,
        KEY_LABELS[statement.key],
        statement.weights.get(str(membership.tenant_id), "0/1"),
    ]
    lines = member_lines(statement, membership.tenant_id)
    for line in lines:
        writer.writerow([*head, line.item, euros(line.invoiced_cents), euros(line.share_cents)])
    writer.writerow(
        [*head, "Total", euros(sum(x.invoiced_cents for x in lines)), euros(sum(x.share_cents for x in lines))]
    )
    return out.getvalue()


def member_pdf(statement: Statement, membership: Membership, group: PurchasingGroup) -> bytes:
    lines = member_lines(statement, membership.tenant_id)
    return render_pdf(
        "cost_statement.html",
        group=group,
        statement=statement,
        membership=membership,
        lines=lines,
        invoiced_total=sum(line.invoiced_cents for line in lines),
        share_total=sum(line.share_cents for line in lines),
        weight=statement.weights.get(str(membership.tenant_id), "0/1"),
        key_label=KEY_LABELS[statement.key],
        key_explanation=KEY_EXPLANATIONS[statement.key],
        issued_on=display.format_date(statement.issued_at, tenant=group.coordinator, locale=display.DOCUMENT_LOCALE),
        today=date.today(),
    )
