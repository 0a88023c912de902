"""The SCDL « Délibérations » file of a collectivity: one row per deliberation published on its portal, the
columns of ``scdl_deliberations.json`` (a Table Schema: their order, types and patterns) in that order.

Public data only: what the portal shows. The votes come from the act's frozen result (``outcome_snapshot``), the
prefecture's identifier and date from its acknowledged transmission, ``DELIB_URL`` is the act's page on the
portal. Streamed: rows are read a batch at a time by keyset (day of decision, id) and written as they come, so
the memory does not grow with the number of acts.
"""

import csv
import functools
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from flask import Response, abort, stream_with_context, url_for

from saas.acts.models import Deliberation
from saas.core.database import TenantContext, set_context
from saas.core.extensions import db
from saas.portal.models import Publication, PublicationKind
from saas.prefecture.classification import classification
from saas.prefecture.models import Transmission, TransmissionStatus
from saas.tenancy.models import Tenant

BATCH = 1000
NO_SIRET = (
    "Le fichier des délibérations n'est pas disponible : le SIRET de la collectivité, obligatoire dans le format "
    "SCDL, n'est pas renseigné."
)
#: DELIB_MATIERE_CODE: a level-2 @ctes code; a deliberation published without one has no row (the column is required)
LEVEL_2 = re.compile(r"^\d\.\d{1,2}$")


@functools.cache
def table_schema() -> dict:
    with (Path(__file__).parent / "scdl_deliberations.json").open(encoding="utf-8") as fh:
        return json.load(fh)


def columns() -> list[str]:
    return [field["name"] for field in table_schema()["fields"]]


def filename(tenant: Tenant) -> str:
    return f"{tenant.siren}_deliberations.csv"


def _votes(snapshot: dict | None) -> list:
    """VOTE_EFFECTIF, _REEL, _POUR, _CONTRE, _ABSTENTION; empty without a vote (noted, no ballot). Blank ballots
    count with the abstentions: neither is a vote cast, and the SCDL has no column of their own."""
    if not snapshot or not snapshot.get("ballot_type"):
        return [""] * 5
    against, abstaining = snapshot["votes_against"], snapshot["abstentions"] + snapshot["blank"]
    voting = snapshot["votes_for"] + against + abstaining
    return [snapshot["presence"]["in_office"], voting, snapshot["votes_for"], against, abstaining]


def _batches(tenant: Tenant) -> Iterator[list]:
    query = (
        sa.select(
            Publication.id,
            Publication.number,
            Publication.decided_on,
            Publication.subject_code,
            Publication.title,
            Deliberation.outcome_snapshot,
            Transmission.id_acte,
            Transmission.received_on,
        )
        .outerjoin(Deliberation, Deliberation.id == Publication.deliberation_id)
        .outerjoin(
            Transmission,
            sa.and_(
                Transmission.act_id == Publication.deliberation_id,
                Transmission.status == TransmissionStatus.ACKNOWLEDGED,
            ),
        )
        .where(Publication.tenant_id == tenant.id, Publication.kind == PublicationKind.DELIBERATION)
        .order_by(Publication.decided_on, Publication.id)
        .limit(BATCH)
    )
    after = None
    while True:
        page = query if after is None else query.where(sa.tuple_(Publication.decided_on, Publication.id) > after)
        rows = db.session.execute(page).all()
        if rows:
            yield rows
        if len(rows) < BATCH:
            return
        after = (rows[-1].decided_on, rows[-1].id)


def rows(tenant: Tenant) -> Iterator[list]:
    """The file's rows, as lists in the order of ``columns()``."""
    names = classification().matieres
    page = url_for("portal.index", tenant_slug=tenant.slug, _external=True)
    for batch in _batches(tenant):
        for row in batch:
            if not row.subject_code or not LEVEL_2.match(row.subject_code):
                continue
            yield [
                tenant.name,
                tenant.siret,
                row.number,
                row.decided_on.isoformat(),
                row.subject_code,
                names.get(row.subject_code, ""),
                " ".join(row.title.split()),
                "",
                "",
                row.id_acte or "",
                row.received_on.isoformat() if row.received_on else "",
                *_votes(row.outcome_snapshot),
                f"{page}/{row.id}",
            ]


def csv_chunks(tenant_id: int) -> Iterator[bytes]:
    """The CSV (UTF-8, comma, header first), a batch of rows per chunk. Run as the response streams, once the
    page's own session is gone: it enters the collectivity again, in the session of the moment."""
    set_context(db.session, TenantContext(tenant_id=tenant_id))
    tenant = db.session.get(Tenant, tenant_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns())
    count = 0
    for row in rows(tenant):
        writer.writerow(row)
        count += 1
        if count % BATCH == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def download(tenant: Tenant) -> Response:
    """The CSV of ``tenant`` as a streamed download; 404 with the reason when it has no SIRET."""
    if not tenant.siret:
        abort(404, description=NO_SIRET)
    return Response(
        stream_with_context(csv_chunks(tenant.id)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename(tenant)}"'},
    )
