"""After the convocation: a new convocation (also a postponement), a convocation complémentaire, a cancellation —
each sent to every person convened or invited, one mail each however often its jobs run, with its notice check
counted from its own sending, time-stamped while the first convocation's proof stays; and the sitting the law
allows after a failed quorum, whose convocation says it deliberates without quorum, citing the article.

The jobs run inline (embedded column) or are queued in Redis (production column); ``drain_notices`` runs them
in both columns, twice in the embedded one, which must add nothing.
"""

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import sqlalchemy as sa

from saas.core.database import SYSTEM, commit, context
from saas.sittings import operations
from saas.sittings.convocations import operations as convening
from saas.sittings.convocations.evidence import evidence_zip
from saas.sittings.convocations.jobs import convocation_html, mail_body
from saas.sittings.convocations.models import Convocation, NoticeKind
from saas.sittings.models import AgendaItem, Sitting, SittingStatus
from saas.sittings.operations import SittingError
from saas.sittings.proof import operations as proof
from saas.sittings.proof.models import ProofKind
from saas.sittings.votes import operations as votes
from saas.tenancy.legal_rules import rules_for, tenant_rules
from saas.tenancy.models import TenantKind
from tests.fixtures.sittings import MONDAY_15_MARCH_2027, postpone_for_lack_of_quorum
from tests.fixtures.verifiers import pdf_text
from tests.sittings.convocations.notice_helpers import (
    ON_TIME,
    attachment,
    build_council,
    convene_now,
    drain_notices,
    is_pdfa,
    notice_mails,
    notices,
)

PARIS = ZoneInfo("Europe/Paris")


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


@pytest.fixture
def council(create_tenant, create_person, give_mandate, give_grant, create_sitting, in_tenant):
    return build_council(create_tenant, create_person, give_mandate, give_grant, create_sitting, in_tenant)


def everyone(council) -> set[int]:
    return {p.id for p in council["members"]} | {council["staff"].id}


def test_a_new_convocation_goes_to_everyone_once_and_the_first_proof_stays(
    session, in_tenant, council, audit_events, tmp_path
):
    tenant, sitting = council["tenant"], council["sitting"]
    convene_now(session, in_tenant, council)
    later = MONDAY_15_MARCH_2027 + timedelta(days=7)
    with in_tenant(tenant):
        notice = convening.reissue_convocation(
            sitting,
            actor=council["secretary"],
            reason="Salle du conseil en travaux",
            starts_at=later,
            place="Salle des fêtes",
            now=ON_TIME + timedelta(days=1),
        )
        commit(session)
    drain_notices(session, sitting)
    drain_notices(session, sitting)  # a retry adds nothing
    assert notice.kind == NoticeKind.NEW_CONVOCATION and notice.number == 1 and not notice.postponed
    assert notice.previous_starts_at == MONDAY_15_MARCH_2027 and notice.previous_place == "Salle du conseil"
    assert sitting.starts_at == later and sitting.place == "Salle des fêtes"
    assert sitting.status == SittingStatus.CONVENED
    mails = notice_mails(session, notice)
    assert sorted(m.key for m in mails) == sorted(f"notice:{notice.id}:{p}:email" for p in everyone(council))
    assert all(m.sent_at is not None and m.purpose == "notice" for m in mails)
    member_mail = next(m for m in mails if m.to_address == council["members"][1].email)
    assert member_mail.subject.startswith("Nouvelle convocation — ")
    assert "Motif : Salle du conseil en travaux" in member_mail.body_text
    assert "prévue le lundi 15 mars 2027 à 18h00, Salle du conseil, est déplacée" in member_mail.body_text
    assert "elle se tiendra le lundi 22 mars 2027 à 18h00, Salle des fêtes." in member_mail.body_text
    pdf = attachment(session, member_mail, "application/pdf")
    assert is_pdfa(pdf)
    text = pdf_text(pdf, tmp_path)
    assert "Nouvelle convocation" in text and "annule et remplace la précédente" in text
    assert "lundi 22 mars 2027" in text and "Salle des fêtes" in text and "Salle du conseil en travaux" in text
    calendar = icalendar.Calendar.from_ical(attachment(session, member_mail, "text/calendar"))
    [event] = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "REQUEST" and int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == later and str(event["UID"]) == f"sitting-{sitting.id}@quorum"
    with in_tenant(tenant):
        rows = proof.records(sitting)
        package = zipfile.ZipFile(io.BytesIO(evidence_zip(sitting)))
    assert [r.kind for r in rows].count(ProofKind.MANIFEST) == 1  # the first convocation's, untouched
    [stamped] = [r for r in rows if r.kind == ProofKind.NOTICE]
    statement = json.loads(stamped.statement)
    assert statement["avis"]["type"] == "nouvelle_convocation"
    assert statement["avis"]["motif"] == "Salle du conseil en travaux"
    assert statement["avis"]["convocation_precedente"]["lieu"] == "Salle du conseil"
    assert statement["seance"]["lieu"] == "Salle des fêtes"
    assert {d["id"] for d in statement["destinataires"]} == everyone(council)
    deliveries = [r for r in rows if r.kind == ProofKind.DELIVERY]
    assert sorted(r.person_id for r in deliveries if r.channel == "email") == sorted(everyone(council))
    assert sorted(r.person_id for r in deliveries if r.channel == f"email-n{notice.id}") == sorted(everyone(council))
    names = package.namelist()
    assert f"manifestes/avis-n{notice.id}.json" in names and "manifestes/manifeste.json" in names
    assert f"manifestes/avis-n{notice.id}.json.tsr" in names
    pdfs = [name for name in names if name.rsplit("/", 1)[-1].startswith("avis-1-") and name.endswith(".pdf")]
    assert len(pdfs) == len(everyone(council)), names
    [(_, rescheduled)] = audit_events(tenant, "sitting.rescheduled")
    assert rescheduled["reason"] == "Salle du conseil en travaux" and "starts_at" in rescheduled
    [(_, sent)] = audit_events(tenant, "sitting.notice_sent")
    assert sent["kind"] == "new_convocation" and sent["recipients"] == len(everyone(council))


def test_the_notice_of_a_new_convocation_counts_from_its_sending_to_the_new_date(session, in_tenant, council):
    """Commune of 10 000 inhabitants: 5 jours francs (L2121-12), counted from the new sending to the new day;
    urgency with a reason: 1 jour franc."""
    tenant, sitting = council["tenant"], council["sitting"]
    convene_now(session, in_tenant, council)
    tuesday = paris(2027, 3, 16, 18, 0)
    with in_tenant(tenant), pytest.raises(SittingError, match=r"article L2121-12 du CGCT") as refused:
        convening.reissue_convocation(
            sitting, actor=None, reason="Salle occupée", starts_at=tuesday, now=paris(2027, 3, 11, 8, 0)
        )
    assert refused.value.message.startswith("Nouvelle convocation impossible. Convocation trop tardive")
    assert "mercredi 10 mars 2027" in refused.value.message  # the last day for a sitting on Tuesday 16
    assert sitting.starts_at == MONDAY_15_MARCH_2027 and notices(session, sitting) == []
    with in_tenant(tenant):
        on_time = convening.reissue_convocation(
            sitting, actor=None, reason="Salle occupée", starts_at=tuesday, now=paris(2027, 3, 10, 23, 0)
        )
        urgent = convening.reissue_convocation(
            sitting,
            actor=None,
            reason="Crue : travaux d'urgence à voter",
            starts_at=paris(2027, 3, 17, 18, 0),
            urgency=True,
            urgency_reason="Crue du Doubs",
            now=paris(2027, 3, 15, 9, 0),  # 1 jour franc (Tuesday 16) before Wednesday 17
        )
    assert (on_time.number, urgent.number) == (1, 2)
    assert urgent.previous_starts_at == tuesday
    with in_tenant(tenant), pytest.raises(SittingError, match="Rien ne change"):
        convening.reissue_convocation(sitting, actor=None, reason="Rien", now=paris(2027, 3, 15, 9, 0))


def test_a_postponement_needs_its_reason_a_later_date_and_a_date_to_come(session, in_tenant, council):
    tenant, sitting = council["tenant"], council["sitting"]
    convene_now(session, in_tenant, council)
    later = MONDAY_15_MARCH_2027 + timedelta(days=14)
    with in_tenant(tenant):
        for reason, starts_at, message in (
            ("  ", later, "Indiquez le motif du report"),
            ("Budget non prêt", MONDAY_15_MARCH_2027 - timedelta(days=1), "date ultérieure"),
            ("Budget non prêt", ON_TIME - timedelta(days=1), "est passée"),
        ):
            with pytest.raises(SittingError, match=message):
                convening.postpone_sitting(sitting, starts_at, actor=None, reason=reason, now=ON_TIME)
        notice = convening.postpone_sitting(sitting, later, actor=None, reason="Budget non prêt", now=ON_TIME)
        commit(session)
    drain_notices(session, sitting)
    assert notice.postponed and sitting.starts_at == later
    mails = notice_mails(session, notice)
    assert len(mails) == len(everyone(council))
    assert all(m.subject.startswith("Report — ") and "est reportée" in m.body_text for m in mails)


def test_a_supplement_is_a_convocation_complementaire_with_its_own_notice_check(session, in_tenant, council, tmp_path):
    tenant, sitting = council["tenant"], council["sitting"]
    with in_tenant(tenant), pytest.raises(SittingError, match="la séance est en préparation"):
        convening.add_supplement_item(sitting, title="Trop tôt", actor=None, now=ON_TIME)
    convene_now(session, in_tenant, council)
    with in_tenant(tenant), pytest.raises(SittingError, match=r"Convocation complémentaire impossible.*L2121-12"):
        convening.add_supplement_item(sitting, title="Subvention", actor=None, now=paris(2027, 3, 10, 8, 0))
    with in_tenant(tenant):
        assert len(operations.active_items(sitting)) == 2
        item, notice = convening.add_supplement_item(
            sitting, title="Subvention au club de hockey", subject_code="7.5", actor=None, now=paris(2027, 3, 9, 20, 0)
        )
        secret, secret_notice = convening.add_supplement_item(
            sitting, title="Huis clos : litige Durand", confidential=True, actor=None, now=paris(2027, 3, 9, 21, 0)
        )
        commit(session)
    drain_notices(session, sitting)
    drain_notices(session, sitting)
    assert (item.position, secret.position) == (3, 4)
    assert notice.kind == NoticeKind.SUPPLEMENT and notice.agenda_item_id == item.id
    mails = notice_mails(session, notice)
    assert len(mails) == len(everyone(council))
    member_mail = next(m for m in mails if m.to_address == council["members"][2].email)
    assert member_mail.subject.startswith("Convocation complémentaire — ")
    assert "point n° 3, « Subvention au club de hockey »" in member_mail.body_text
    text = pdf_text(attachment(session, member_mail, "application/pdf"), tmp_path)
    assert "Convocation complémentaire" in text and "Subvention au club de hockey" in text
    secret_mails = notice_mails(session, secret_notice)
    assert all("litige Durand" not in m.body_text and "huis clos" in m.body_text for m in secret_mails)
    secret_pdf = pdf_text(attachment(session, secret_mails[0], "application/pdf"), tmp_path)
    assert "litige Durand" not in secret_pdf
    with in_tenant(tenant):
        stamped = [json.loads(r.statement) for r in proof.records(sitting) if r.kind == ProofKind.NOTICE]
    assert [s["avis"]["type"] for s in stamped] == ["convocation_complementaire"] * 2
    assert stamped[0]["avis"]["point"] == {"id": item.id, "numero": 3, "titre": "Subvention au club de hockey"}


def test_cancelling_a_convened_sitting_tells_each_person_exactly_once(session, in_tenant, council, audit_events):
    tenant, sitting = council["tenant"], council["sitting"]
    convene_now(session, in_tenant, council)
    with in_tenant(tenant), pytest.raises(SittingError, match="Indiquez le motif de l'annulation"):
        convening.cancel_sitting(sitting, actor=None, reason="", now=ON_TIME)
    with in_tenant(tenant):
        notice = convening.cancel_sitting(
            sitting, actor=council["secretary"], reason="Élections partielles : conseil dissous", now=ON_TIME
        )
        commit(session)
    drain_notices(session, sitting)
    drain_notices(session, sitting)
    drain_notices(session, sitting)
    assert sitting.status == SittingStatus.CANCELLED and sitting.cancelled_at == ON_TIME
    assert sitting.cancel_reason == "Élections partielles : conseil dissous"
    mails = notice_mails(session, notice)
    assert sorted(m.to_address for m in mails) == sorted(
        [p.email for p in council["members"]] + [council["staff"].email]
    )
    assert len({m.key for m in mails}) == len(mails)
    for mail in mails:
        assert mail.subject.startswith("Annulation — ") and "est annulée" in mail.body_text
        assert "Motif : Élections partielles : conseil dissous" in mail.body_text
        assert attachment(session, mail, "application/pdf") is None
        calendar = icalendar.Calendar.from_ical(attachment(session, mail, "text/calendar"))
        assert calendar["METHOD"] == "CANCEL" and str(calendar.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"
    with in_tenant(tenant):
        rows = proof.records(sitting)
        kept = session.execute(sa.select(AgendaItem).where(AgendaItem.sitting_id == sitting.id)).scalars().all()
    [stamped] = [json.loads(r.statement) for r in rows if r.kind == ProofKind.NOTICE]
    assert stamped["avis"]["type"] == "annulation" and stamped["fichiers"] == []
    assert len([r for r in rows if r.channel == f"email-n{notice.id}"]) == len(everyone(council))
    assert len(kept) == 2 and all(i.withdrawn_at is None for i in kept)  # the items stay, never deleted
    [(_, cancelled)] = audit_events(tenant, "sitting.cancelled")
    assert cancelled == {"from": "convened", "reason": "Élections partielles : conseil dissous", "told": 6}
    with in_tenant(tenant), pytest.raises(SittingError, match="elle est annulée"):
        convening.cancel_sitting(sitting, actor=None, reason="Encore", now=ON_TIME)
    with in_tenant(tenant), pytest.raises(SittingError, match="la séance est annulée"):
        convening.reissue_convocation(sitting, actor=None, reason="x", place="Ailleurs", now=ON_TIME)


def test_cancelling_a_draft_tells_nobody(session, in_tenant, council):
    tenant, sitting = council["tenant"], council["sitting"]
    with in_tenant(tenant):
        assert convening.cancel_sitting(sitting, actor=None, reason="Doublon") is None
    assert sitting.status == SittingStatus.CANCELLED and notices(session, sitting) == []


def test_a_cancelled_sittings_report_goes_on_another_sitting(session, town, make_report, create_sitting):
    from saas.reports.agenda.operations import placeable
    from saas.reports.models import ReportStatus
    from saas.reports.operations import place_on_agenda

    report = make_report(town)
    first = create_sitting(town.tenant, convene=False, items=0)
    second = create_sitting(town.tenant, starts_at=MONDAY_15_MARCH_2027 + timedelta(days=14), convene=False, items=0)
    with context(session, SYSTEM):
        report.status = ReportStatus.READY  # its circuit is complete (tested by the circuits)
        item = place_on_agenda(report, first, actor=town.secretary)
        operations.set_status(first, SittingStatus.CONVENED, actor=None, at=ON_TIME)
        convening.cancel_sitting(first, actor=town.secretary, reason="Reportée sine die", now=ON_TIME)
        assert report in placeable(second)
        again = place_on_agenda(report, second, actor=town.secretary)
        assert again.report_id == item.report_id == report.id and item.withdrawn_at is None


# --- Reconvening after a failed quorum ------------------------------------------------------------


def opened(session, in_tenant, council):
    """The council's sitting convened then opened (the roll call found the quorum lacking)."""
    convene_now(session, in_tenant, council)
    with in_tenant(council["tenant"]):
        operations.set_status(council["sitting"], SittingStatus.IN_PROGRESS, actor=None)
        postpone_for_lack_of_quorum(operations.active_items(council["sitting"]))
    return council["sitting"]


def test_reconvening_after_a_failed_quorum_carries_the_items_and_says_so(
    session, in_tenant, council, create_person, give_mandate, audit_events, tmp_path
):
    tenant = council["tenant"]
    rapporteur = council["members"][1]
    with in_tenant(tenant):
        first = operations.active_items(council["sitting"])[0]
        first.rapporteur_id, first.subject_code = rapporteur.id, "9.1"
        first.committee_opinion = "Avis favorable unanime de la Commission n° 1"
    failed = opened(session, in_tenant, council)
    items = operations.active_items(failed)
    evening = MONDAY_15_MARCH_2027 + timedelta(hours=2)
    rules = tenant_rules(tenant)
    with in_tenant(tenant), pytest.raises(SittingError) as refused:
        convening.reconvene_without_quorum(
            failed, items, MONDAY_15_MARCH_2027 + timedelta(days=rules.quorum_failed_reconvene_days - 1),
            actor=None, now=evening,
        )  # fmt: skip
    assert "3 jours au moins d'intervalle (article L2121-17 du CGCT)" in refused.value.message
    assert "jeudi 18 mars 2027" in refused.value.message
    with in_tenant(tenant):
        assert session.execute(sa.select(Sitting.id).where(Sitting.reconvened_from_id == failed.id)).first() is None
        new = convening.reconvene_without_quorum(
            failed, items, paris(2027, 3, 18, 18, 0), actor=council["secretary"], now=evening
        )
        commit(session)
    assert new.reconvened_from_id == failed.id and new.assembly_id == failed.assembly_id
    assert new.status == SittingStatus.CONVENED and new.place == failed.place
    with in_tenant(tenant):
        carried = operations.active_items(new)
        convocations = session.execute(sa.select(Convocation).where(Convocation.sitting_id == new.id)).scalars()
        by_person = {c.person_id: c for c in convocations}
        html = " ".join(convocation_html(by_person[rapporteur.id]).split())
        body = mail_body(by_person[rapporteur.id])
    fields = ("position", "title", "report_id", "subject_code", "rapporteur_id", "committee_opinion", "confidential")
    values = [tuple(getattr(i, f) for f in fields) for i in carried]
    assert values == [tuple(getattr(i, f) for f in fields) for i in items]
    assert set(by_person) == everyone(council)
    sentence = (
        "Le quorum n'ayant pas été atteint à la séance du lundi 15 mars 2027, l'assemblée est à nouveau convoquée : "
        "elle délibère alors valablement sans condition de quorum (article L2121-17 du CGCT)."
    )
    assert sentence in html and sentence in body
    [(object_id, data)] = audit_events(tenant, "sitting.reconvened_without_quorum")
    assert object_id == str(new.id) and data["from_sitting_id"] == failed.id
    with in_tenant(tenant), pytest.raises(SittingError, match="déjà été convoquée à nouveau"):
        convening.reconvene_without_quorum(failed, items, paris(2027, 3, 25, 18, 0), actor=None, now=evening)


def test_reconvening_refuses_a_sitting_not_opened_and_items_of_another_sitting(
    session, in_tenant, council, create_sitting
):
    tenant, sitting = council["tenant"], council["sitting"]
    with in_tenant(tenant):
        items = operations.active_items(sitting)
    for status in ("draft", "convened"):
        if status == "convened":
            convene_now(session, in_tenant, council)
        with in_tenant(tenant), pytest.raises(SittingError, match="suit une séance ouverte"):
            convening.reconvene_without_quorum(sitting, items, paris(2027, 3, 19, 18), actor=None, now=ON_TIME)
    with in_tenant(tenant):
        operations.set_status(sitting, SittingStatus.IN_PROGRESS, actor=None)
    other = create_sitting(tenant, starts_at=MONDAY_15_MARCH_2027 + timedelta(days=30))
    with in_tenant(tenant):
        foreign = operations.active_items(other)
        for chosen, message in (([], "au moins un point"), (foreign, "de cette séance"), (items * 2, "de cette")):
            with pytest.raises(SittingError, match=message):
                convening.reconvene_without_quorum(sitting, chosen, paris(2027, 3, 19, 18), actor=None, now=ON_TIME)
        with pytest.raises(SittingError, match="Aucun point de cette séance n'a été reporté faute de quorum"):
            convening.reconvene_without_quorum(sitting, items, paris(2027, 3, 19, 18), actor=None, now=ON_TIME)
        postpone_for_lack_of_quorum(items[:1])
        assert votes.items_lacking_quorum(sitting) == items[:1]
        with pytest.raises(SittingError, match="Seuls les points reportés faute de quorum"):
            convening.reconvene_without_quorum(sitting, items, paris(2027, 3, 19, 18), actor=None, now=ON_TIME)
        new = convening.reconvene_without_quorum(sitting, items[:1], paris(2027, 3, 19, 18), actor=None, now=ON_TIME)
        assert [item.title for item in operations.active_items(new)] == [items[0].title]


@pytest.mark.parametrize(
    ("kind", "population", "article", "wording"),
    [
        (TenantKind.COMMUNE, 800, "L2121-17", "elle délibère alors valablement sans condition de quorum"),
        (TenantKind.EPCI, 190_000, "L5211-1, L2121-17", "elle délibère alors valablement sans condition de quorum"),
        (TenantKind.DEPARTEMENT, 500_000, "L3121-14", "quel que soit le nombre des présents"),
        (TenantKind.REGION, 5_000_000, "L4132-13", "quel que soit le nombre des présents"),
    ],
)
def test_the_reconvened_convocation_cites_each_kinds_article_from_the_rules(
    session, create_tenant, create_person, give_mandate, create_sitting, in_tenant, kind, population, article, wording
):
    rules = rules_for(kind, population)
    assert rules.quorum_failed_reconvene_days == 3 and rules.quorum_article == article
    assert wording in rules.quorum_failed_wording
    tenant = create_tenant(kind=kind, population=population)
    member = create_person()
    give_mandate(member, tenant)
    failed = create_sitting(tenant)
    with in_tenant(tenant):
        operations.set_status(failed, SittingStatus.IN_PROGRESS, actor=None)
        postpone_for_lack_of_quorum(operations.active_items(failed))
        new = convening.reconvene_without_quorum(
            failed,
            operations.active_items(failed),
            MONDAY_15_MARCH_2027 + timedelta(days=3),
            actor=None,
            now=MONDAY_15_MARCH_2027 + timedelta(hours=1),
        )
        [convocation] = session.execute(sa.select(Convocation).where(Convocation.sitting_id == new.id)).scalars()
        html = " ".join(convocation_html(convocation).split())
    assert f"{wording}" in html and f"(article {article} du CGCT)" in html


def test_the_reconvened_sitting_can_be_replayed_in_the_past_with_now(session, in_tenant, council):
    """The demo replays a past sitting: ``now`` stands for the present, everywhere."""
    tenant = council["tenant"]
    failed = opened(session, in_tenant, council)
    with in_tenant(tenant):
        new = convening.reconvene_without_quorum(
            failed,
            operations.active_items(failed)[:1],
            paris(2027, 3, 22, 18),
            actor=None,
            now=datetime(2027, 3, 15, 20, tzinfo=UTC),
        )
    assert new.status == SittingStatus.CONVENED and len(operations.active_items(new)) == 1
