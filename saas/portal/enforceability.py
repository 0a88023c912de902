"""Whether and since when a deliberation is enforceable (exécutoire de plein droit, L2131-1): published on the
portal and, when the law lists it (``saas/prefecture/obligations.toml``), received by the prefect — the day of the
later of the two. Read from the act's publication and its acknowledged transmission; nothing is stored."""

import dataclasses
from datetime import date

import sqlalchemy as sa

from saas.acts.models import Deliberation
from saas.core import display
from saas.core.extensions import db
from saas.portal.models import Publication
from saas.prefecture import operations as prefecture
from saas.prefecture.classification import DELIBERATION
from saas.prefecture.models import TransmissionStatus
from saas.prefecture.obligations import obligation
from saas.tenancy.models import Tenant


@dataclasses.dataclass(frozen=True)
class Enforceability:
    #: the day it was put online, in the collectivity's time zone
    published_on: date | None
    transmission_required: bool
    #: DateReception of the prefecture's acknowledgement, and its IDActe
    received_on: date | None
    id_acte: str | None
    enforceability_article: str
    transmission_article: str

    @property
    def since(self) -> date | None:
        """The day the act became enforceable, or None while it is not."""
        if self.published_on is None:
            return None
        if not self.transmission_required:
            return self.published_on
        if self.received_on is None:
            return None
        return max(self.published_on, self.received_on)

    @property
    def missing(self) -> tuple[str, ...]:
        """What it still waits for: "publication", "transmission"."""
        waiting = () if self.published_on is not None else ("publication",)
        if self.transmission_required and self.received_on is None:
            waiting += ("transmission",)
        return waiting

    def sentence(self) -> str:
        """In French, as the act's page and the portal say it."""
        article = f"article {self.enforceability_article} du CGCT"
        if self.since is not None:
            return f"Exécutoire depuis le {display.format_date(self.since, 'long', locale='fr')} ({article})."
        needs = {
            ("publication",): "sa publication",
            ("transmission",): "l'accusé de réception de la préfecture",
            ("publication", "transmission"): "sa publication et l'accusé de réception de la préfecture",
        }[self.missing]
        return f"Pas encore exécutoire : il manque {needs} ({article})."


def _published_on(act: Deliberation, tenant: Tenant) -> date | None:
    published_at = db.session.execute(
        sa.select(Publication.published_at).where(
            Publication.tenant_id == act.tenant_id, Publication.deliberation_id == act.id
        )
    ).scalar_one_or_none()
    return display.local(published_at, tenant).date() if published_at is not None else None


def of_act(act: Deliberation) -> Enforceability:
    tenant = db.session.get(Tenant, act.tenant_id)
    rule = obligation(tenant.kind, DELIBERATION)
    transmission = prefecture.open_transmission(act)
    acknowledged = transmission is not None and transmission.status == TransmissionStatus.ACKNOWLEDGED
    return Enforceability(
        published_on=_published_on(act, tenant),
        transmission_required=rule.transmission_required,
        received_on=transmission.received_on if acknowledged else None,
        id_acte=transmission.id_acte if acknowledged else None,
        enforceability_article=rule.enforceability_article,
        transmission_article=rule.transmission_article,
    )
