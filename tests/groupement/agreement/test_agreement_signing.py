"""The group agreement signed electronically: every member's signatory signs the same PDF in turn, each in
the signature book of their own collectivity, with their second factor; the coordinator gets the PDF
signed by all. Real PAdES signatures, checked by poppler's pdfsig."""

import io
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pikepdf
import pytest
import sqlalchemy as sa

from saas.audit.models import AuditEvent
from saas.core.database import SYSTEM, TenantContext, context
from saas.groupement import operations
from saas.groupement.agreement import operations as agreement_signing
from saas.groupement.models import AgreementSigner, AgreementSigning, Membership, SigningStatus
from saas.groupement.operations import PurchasingError
from saas.identity.models import Mandate, MandateRole
from saas.jobs import queues as jobs
from saas.mail.models import OutboundMail
from saas.signing import pades
from saas.signing.book import batches as book_batches
from saas.signing.book import operations as book
from saas.signing.book.models import RequestStatus, SignatureRequest, StepStatus
from saas.storage.models import Blob
from saas.storage.operations import read_all
from saas.tenancy.models import TenantKind
from tests.fixtures.pdfs import clean_pdf
from tests.fixtures.signing import enrol, fresh_code
from tests.fixtures.verifiers import pdfsig
from tests.fixtures.web import bearer, post, sign_in

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def agreement(session, world, tmp_path):
    """The agreement uploaded, and each member's signatory enrolled for the second factor."""
    with context(session, SYSTEM):
        pdf = clean_pdf(tmp_path / "convention.pdf", pages=2).read_bytes()
        operations.upload_agreement(world.group, io.BytesIO(pdf), "convention.pdf", actor=None)
        for person in (world.city_member, world.agglo_member, world.doubs_member, world.region_member):
            enrol(person)
        session.flush()
    return pdf


def membership(world, tenant) -> Membership:
    return next(m for m in operations.memberships(world.group) if m.tenant_id == tenant.id)


def order(world):
    """City, Agglomeration, Department, then the Region (the coordinator) last."""
    return [
        (world.city, world.city_member, "Maire"),
        (world.agglo, world.agglo_member, "Président de la communauté"),
        (world.doubs, world.doubs_member, "Président du conseil départemental"),
        (world.region, world.region_member, "Président du conseil régional"),
    ]


def start(session, world, actor=None) -> AgreementSigning:
    with context(session, SYSTEM):
        signatories = [
            agreement_signing.Signatory(membership(world, tenant), person, role)
            for tenant, person, role in order(world)
        ]
        return agreement_signing.start(world.group, signatories, actor or world.coordinator)


def request_of(session, signer: AgreementSigner) -> SignatureRequest:
    with context(session, SYSTEM):
        return session.get(SignatureRequest, signer.request_id)


def sign(session, tenant, person, signer: AgreementSigner):
    """``person`` signs from their book in ``tenant``, as the web route does (their context, a fresh code)."""
    request = request_of(session, signer)
    with context(session, TenantContext(tenant_id=tenant.id, person_id=person.id)):
        return book.sign(request, person, fresh_code(person))


def mails(session, prefix: str) -> list[OutboundMail]:
    with context(session, SYSTEM):
        return list(session.execute(sa.select(OutboundMail).where(OutboundMail.key.startswith(prefix))).scalars())


def platform_events(session, signing) -> list[str]:
    """The round's events on the platform's audit chain, in order."""
    with context(session, SYSTEM):
        return list(
            session.execute(
                sa.select(AuditEvent.action)
                .where(AuditEvent.object_type == "AgreementSigning", AuditEvent.object_id == str(signing.id))
                .order_by(AuditEvent.seq)
            ).scalars()
        )


def book_of(client, session, person) -> str:
    sign_in(client, person)
    return client.get("/parapheur").get_data(as_text=True)


def test_every_member_signs_in_turn_and_the_coordinator_gets_the_pdf_signed_by_all(
    client, session, world, agreement, tmp_path
):
    sign_in(client, world.coordinator)
    form_url = "/group/agreement/signing"
    page = client.get(form_url).get_data(as_text=True)
    assert all(t.name in page for t in world.members) and world.city_member.full_name in page
    data = {}
    for rank, (tenant, person, role) in enumerate(order(world), start=1):
        member_id = membership(world, tenant).id
        data |= {f"signer_{member_id}": person.id, f"role_{member_id}": role, f"rank_{member_id}": rank}
    started = post(client, form_url, data)
    assert started.status_code == 302, started.get_data(as_text=True)
    (signing,) = agreement_signing.signings(world.group)
    assert [s.status for s in signing.signers] == [StepStatus.PENDING] + [StepStatus.WAITING] * 3
    with context(session, TenantContext(tenant_id=world.region.id)):
        prepared = session.get(Blob, signing.prepared_blob_id)
        assert prepared.tenant_id == world.region.id  # kept with the coordinator's key

    # the City's signatory finds it in their book, signs it there with their code, on the web
    city_signer, agglo_signer, doubs_signer, region_signer = signing.signers
    assert "Convention constitutive" in book_of(client, session, world.city_member)
    assert "Convention constitutive" not in book_of(client, session, world.agglo_member)  # not their turn yet
    assert len(mails(session, f"signature-request:{city_signer.request_id}:turn:")) == 1
    page_url = f"/t/{world.city.slug}/parapheur/{city_signer.request_id}"
    sign_in(client, world.city_member)
    signed = post(client, f"{page_url}/signer", {"code": fresh_code(world.city_member)})
    assert signed.status_code == 302, signed.get_data(as_text=True)
    session.refresh(signing)
    assert city_signer.status == StepStatus.SIGNED and city_signer.signed_at is not None
    assert agglo_signer.status == StepStatus.PENDING and agglo_signer.request_id is not None
    with context(session, SYSTEM):
        agglo_request = session.get(SignatureRequest, agglo_signer.request_id)
        assert agglo_request.tenant_id == world.agglo.id and agglo_request.current_blob.tenant_id == world.agglo.id
    assert "Convention constitutive" in book_of(client, session, world.agglo_member)

    for tenant, person, signer in (
        (world.agglo, world.agglo_member, agglo_signer),
        (world.doubs, world.doubs_member, doubs_signer),
        (world.region, world.region_member, region_signer),
    ):
        sign(session, tenant, person, signer)
    assert signing.status == SigningStatus.SIGNED and signing.closed_at is not None

    sign_in(client, world.coordinator)
    assert "signée par tous" in client.get(f"/group/agreement/signings/{signing.id}").get_data(as_text=True)
    response = client.get(f"/group/agreement/signings/{signing.id}/file")
    assert response.status_code == 200
    path = tmp_path / "signed.pdf"
    path.write_bytes(response.data)
    report = pdfsig(path)
    assert report.count("Signature is Valid.") == 4, report
    for _, person, _ in order(world):
        assert person.full_name in report
    assert report.count("Total document signed") == 1  # the last signature covers the whole file
    fields = pades.signature_fields(path)
    assert [f.signed for f in fields] == [True] * 4
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) == 2  # nothing but signature fields and stamps added
    headers = bearer(world.coordinator)
    assert client.get(f"/api/v1/group/agreement/signings/{signing.id}/file", headers=headers).data == response.data
    report = agreement_signing.validation_report(signing)  # each member's CA trusted, checked offline
    assert report.ok and [s.signer for s in report.signatures] == [p.full_name for _, p, _ in order(world)]
    sign_in(client, world.coordinator)
    pdf_report = client.get(f"/group/agreement/signings/{signing.id}/report")
    assert pdf_report.status_code == 200 and pdf_report.data.startswith(b"%PDF-")

    today = datetime.now(PARIS).date()  # the day of signing is the collectivity's, in Paris
    for tenant, person, role in order(world):
        member = membership(world, tenant)
        assert member.agreement_signed_on in (today, today - timedelta(days=1))
        assert member.agreement_signed_by == f"{person.full_name}, {role}"
    assert len(mails(session, f"purchasing-agreement:{signing.id}:signed:")) == 1
    assert platform_events(session, signing) == ["purchasing.agreement.signing_started", "purchasing.agreement.signed"]
    listed = client.get(f"/api/v1/group/agreement/signings/{signing.id}", headers=headers).json
    assert listed["status"] == "signed" and [s["status"] for s in listed["signers"]] == ["signed"] * 4
    assert listed["signers"][0]["tenant"]["name"] == world.city.name


def test_a_refusal_ends_the_round_and_tells_the_coordinator_once(client, session, world, agreement):
    headers = bearer(world.coordinator)
    body = {
        "signatories": [
            {"membership_id": membership(world, tenant).id, "person_id": person.id, "role": role}
            for tenant, person, role in order(world)
        ]
    }
    response = client.post("/api/v1/group/agreement/signings", json=body, headers=headers)
    assert response.status_code == 201, response.json
    signing = session.get(AgreementSigning, response.json["id"])
    city_signer, agglo_signer, doubs_signer, region_signer = signing.signers
    sign(session, world.city, world.city_member, city_signer)
    with context(session, TenantContext(tenant_id=world.agglo.id, person_id=world.agglo_member.id)):
        book.refuse(request_of(session, agglo_signer), world.agglo_member, "L'article 7 doit être revu.")
    assert signing.status == SigningStatus.REFUSED
    assert agglo_signer.status == StepStatus.REFUSED and agglo_signer.reason == "L'article 7 doit être revu."
    assert doubs_signer.status == region_signer.status == StepStatus.CANCELLED
    assert doubs_signer.request_id is None and region_signer.request_id is None
    assert platform_events(session, signing)[-1] == "purchasing.agreement.signing_refused"
    refused = mails(session, f"purchasing-agreement:{signing.id}:refused:")
    assert len(refused) == 1 and "L'article 7 doit être revu." in refused[0].body_text
    assert refused[0].to_address == world.coordinator.email
    view = client.get(f"/api/v1/group/agreement/signings/{signing.id}", headers=headers).json
    assert [s["status"] for s in view["signers"]] == ["signed", "refused", "cancelled", "cancelled"]
    assert view["signers"][1]["reason"] == "L'article 7 doit être revu."

    # a new round starts again from the agreement as uploaded, unsigned
    again = client.post("/api/v1/group/agreement/signings", json=body, headers=headers)
    assert again.status_code == 201
    first = session.get(AgreementSigning, again.json["id"]).signers[0]
    with context(session, SYSTEM):
        pdf = request_of(session, first).current_blob
        from saas.storage.operations import read_all

        assert b"/ByteRange" not in read_all(pdf)


def test_the_coordinator_cancels_or_a_member_withdraws_the_request(client, session, world, agreement):
    signing = start(session, world)
    city_signer = signing.signers[0]
    sign_in(client, world.coordinator)
    url = f"/group/agreement/signings/{signing.id}"
    assert post(client, f"{url}/cancel").status_code == 302
    assert signing.status == SigningStatus.CANCELLED
    assert request_of(session, city_signer).status == RequestStatus.CANCELLED
    assert "Convention constitutive" not in book_of(client, session, world.city_member)
    assert mails(session, f"purchasing-agreement:{signing.id}:") == []  # the coordinator knows: no mail
    assert platform_events(session, signing)[-1] == "purchasing.agreement.signing_cancelled"
    sign_in(client, world.coordinator)
    again = post(client, f"{url}/cancel", follow_redirects=True)
    assert "plus en cours" in again.get_data(as_text=True)

    # the City's administration withdraws the next round's request from its book: the round ends
    second = start(session, world)
    with context(session, TenantContext(tenant_id=world.city.id, person_id=world.city_admin.id)):
        book.cancel(request_of(session, second.signers[0]), world.city_admin)
    assert second.status == SigningStatus.CANCELLED
    withdrawn = mails(session, f"purchasing-agreement:{second.id}:cancelled:")
    assert len(withdrawn) == 1 and world.city.name in withdrawn[0].subject


def test_a_signatory_who_left_office_interrupts_the_round_not_the_signature(session, world, agreement):
    signing = start(session, world)
    with context(session, SYSTEM):
        mandate = session.execute(
            sa.select(Mandate).where(Mandate.person_id == world.agglo_member.id, Mandate.tenant_id == world.agglo.id)
        ).scalar_one()
        mandate.end_date = date.today() - timedelta(days=1)
        session.flush()
    sign(session, world.city, world.city_member, signing.signers[0])
    assert signing.signers[0].status == StepStatus.SIGNED  # the City's signature stands
    assert signing.status == SigningStatus.CANCELLED
    assert "mandat" in signing.signers[1].reason or "fonction" in signing.signers[1].reason
    (mail,) = mails(session, f"purchasing-agreement:{signing.id}:cancelled:")
    assert "interrompue" in mail.subject


def _counts(session):
    with context(session, SYSTEM):
        return (
            session.scalar(sa.select(sa.func.count()).select_from(AgreementSigning)),
            session.scalar(sa.select(sa.func.count()).select_from(Blob)),
            session.scalar(sa.select(sa.func.count()).select_from(SignatureRequest)),
            session.scalar(sa.select(sa.func.count()).select_from(OutboundMail)),
        )


def test_bad_input_is_refused_in_french_and_leaves_nothing(client, session, world, tmp_path):
    headers = bearer(world.coordinator)
    url = "/api/v1/group/agreement/signings"

    def body(rows):
        return {"signatories": [{"membership_id": m.id, "person_id": p.id, "role": r} for m, p, r in rows]}

    rows = [(membership(world, tenant), person, role) for tenant, person, role in order(world)]
    before = _counts(session)
    no_agreement = client.post(url, json=body(rows), headers=headers)
    assert no_agreement.status_code == 422 and "Déposez d'abord la convention" in no_agreement.json["message"]
    assert _counts(session) == before

    with context(session, SYSTEM):
        pdf = clean_pdf(tmp_path / "convention.pdf").read_bytes()
        operations.upload_agreement(world.group, io.BytesIO(pdf), "convention.pdf", actor=None)
        session.flush()
    before = _counts(session)
    cases = [
        (body(rows[:3]), "désignez un signataire pour chacun"),
        (body([*rows[:3], (rows[3][0], world.outsider, "Président")]), "n'a pas de mandat d'élu en cours"),
        (body([*rows[:3], (rows[3][0], world.region_member, "   ")]), "Indiquez la qualité du signataire"),
        (body([*rows[:3], (rows[2][0], world.doubs_member, "Président")]), "désignez un signataire pour chacun"),
        ({"signatories": [{"membership_id": 999999, "person_id": 1, "role": "x"}]}, "Adhésion inconnue"),
        ({"signatories": [], "extra": 1}, "Champ inconnu"),
    ]
    for payload, message in cases:
        response = client.post(url, json=payload, headers=headers)
        assert response.status_code == 422, payload
        assert message in str(response.json), (message, response.json)
    assert _counts(session) == before

    # web form: two members at the same rank
    sign_in(client, world.coordinator)
    data = {}
    for member, person, role in rows:
        data |= {f"signer_{member.id}": person.id, f"role_{member.id}": role, f"rank_{member.id}": 1}
    page = post(client, "/group/agreement/signing", data)
    assert page.status_code == 422 and "rang de signature différent" in page.get_data(as_text=True)
    assert _counts(session) == before

    # an agreement whose last page has no room left for the stamps
    full = tmp_path / "full.pdf"
    with pikepdf.open(tmp_path / "convention.pdf") as source:
        source.pages[-1].Contents = source.make_stream(b"0 g 0 0 595 842 re f")
        source.save(full)
    with context(session, SYSTEM):
        operations.upload_agreement(world.group, io.BytesIO(full.read_bytes()), "full.pdf", actor=None)
        session.flush()
    before = _counts(session)
    no_room = client.post(url, json=body(rows), headers=headers)
    assert no_room.status_code == 422 and "pas assez de place libre" in no_room.json["message"]
    assert _counts(session) == before


def test_the_members_and_the_agreement_stay_put_while_it_goes_round(client, session, world, agreement, tmp_path):
    signing = start(session, world)
    headers = bearer(world.coordinator)
    pdf = clean_pdf(tmp_path / "autre.pdf").read_bytes()
    replaced = client.put("/api/v1/group/agreement?filename=autre.pdf", data=pdf, headers=headers)
    assert replaced.status_code == 422 and "en cours de signature" in replaced.json["message"]
    agglo = membership(world, world.agglo)
    withdrawal = {"withdrawn_on": "2026-12-31", "withdrawal_effect": "Article 9.", "withdrawal_amount_cents": None}
    response = client.post(f"/api/v1/group/members/{agglo.id}/withdrawal", json=withdrawal, headers=headers)
    assert response.status_code == 422 and "en cours de signature" in response.json["message"]
    second = client.post(
        "/api/v1/group/agreement/signings",
        json={"signatories": [{"membership_id": agglo.id, "person_id": world.agglo_member.id, "role": "P"}]},
        headers=headers,
    )
    assert second.status_code == 422 and "en cours de signature" in second.json["message"]
    assert operations.signing_in_progress(world.group) == signing


def test_only_the_signatory_whose_turn_it_is_sees_the_request(client, session, world, agreement):
    signing = start(session, world)
    request_id = signing.signers[0].request_id
    page = f"/t/{world.city.slug}/parapheur/{request_id}"
    sign_in(client, world.city_member)
    assert client.get(page).status_code == 200
    for person in (world.coordinator, world.agglo_member, world.outsider):
        sign_in(client, person)
        assert client.get(page).status_code == 404, person.last_name
        assert client.get(f"{page}/fichier").status_code == 404, person.last_name
    for person in (world.city_member, world.city_admin, world.agglo_member):
        sign_in(client, person)
        assert client.get(f"/group/agreement/signings/{signing.id}").status_code == 404


def test_the_proposal_puts_the_council_president_first_choice_and_the_coordinator_last(
    client, session, world, create_person, give_mandate
):
    president = create_person(first_name="Christine", last_name="Présidente")
    give_mandate(president, world.doubs, role=MandateRole.PRESIDENT)
    response = client.get("/api/v1/group/agreement/signatories", headers=bearer(world.coordinator))
    assert response.status_code == 200
    rows = response.json
    assert rows[-1]["tenant"]["id"] == world.region.id
    doubs = next(r for r in rows if r["tenant"]["id"] == world.doubs.id)
    assert doubs["proposed_person_id"] == president.id
    assert doubs["proposed_role"] == "Président du conseil départemental"
    city = next(r for r in rows if r["tenant"]["id"] == world.city.id)
    # elected members only: the City's admin is listed for their mandate; nobody of another collectivity
    assert {c["person_id"] for c in city["candidates"]} == {world.both.id, world.city_member.id, world.city_admin.id}
    sign_in(client, world.coordinator)
    page = client.get("/group/agreement/signing").get_data(as_text=True)
    doubs_id = membership(world, world.doubs).id
    assert f'name="signer_{doubs_id}"' in page
    assert re.search(rf'<option selected value="{president.id}">|<option value="{president.id}" selected', page)


def test_a_member_without_elected_members_is_named_before_anything_starts(
    client, session, world, agreement, create_tenant
):
    syndicat = create_tenant(name="Syndicat sans élus", kind=TenantKind.SYNDICAT)
    with context(session, SYSTEM):
        operations.join(world.group, syndicat, "Délibération S-1", date(2026, 1, 5), actor=None)
        session.flush()
    sign_in(client, world.coordinator)
    page = client.get("/group/agreement/signing").get_data(as_text=True)
    assert "Syndicat sans élus n&#39;a encore aucun élu en fonction" in page
    before = _counts(session)
    rows = [(membership(world, tenant), person, role) for tenant, person, role in order(world)]
    body = {"signatories": [{"membership_id": m.id, "person_id": p.id, "role": r} for m, p, r in rows]}
    response = client.post("/api/v1/group/agreement/signings", json=body, headers=bearer(world.coordinator))
    assert response.status_code == 422 and "désignez un signataire pour chacun" in response.json["message"]
    assert _counts(session) == before


def test_a_member_signing_in_a_batch_hands_the_agreement_on(session, world, agreement, tmp_path):
    signing = start(session, world)
    city_signer, agglo_signer, *_ = signing.signers
    request = request_of(session, city_signer)
    with context(session, TenantContext(tenant_id=world.city.id, person_id=world.city_member.id)):
        batch = book_batches.sign_batch(world.city, world.city_member, [request], fresh_code(world.city_member))
    jobs.run(
        "saas.signing.book.jobs.sign_book_batch", world.city.id, [batch.id]
    )  # the job, run here (uncommitted rows)
    session.refresh(signing)
    assert city_signer.status == StepStatus.SIGNED
    assert agglo_signer.status == StepStatus.PENDING and request_of(session, agglo_signer).tenant_id == world.agglo.id
    with context(session, SYSTEM):
        handed_on = tmp_path / "handed-on.pdf"
        handed_on.write_bytes(read_all(request_of(session, agglo_signer).current_blob))
    assert pades.is_signed(handed_on)


def test_no_member_joins_or_leaves_while_the_agreement_goes_round(session, world, agreement, create_tenant):
    start(session, world)
    syndicat = create_tenant(name="Syndicat en retard", kind=TenantKind.SYNDICAT)
    with context(session, SYSTEM), pytest.raises(PurchasingError, match="en cours de signature"):
        operations.join(world.group, syndicat, "Délibération S-2", date(2026, 11, 2), actor=None)


def test_a_round_waiting_on_a_signatory_who_left_office_says_so(client, session, world, agreement):
    signing = start(session, world)
    with context(session, SYSTEM):
        mandate = session.execute(
            sa.select(Mandate).where(Mandate.person_id == world.city_member.id, Mandate.tenant_id == world.city.id)
        ).scalar_one()
        mandate.end_date = date.today() - timedelta(days=1)
        session.flush()
    assert "Convention constitutive" not in book_of(client, session, world.city_member)
    sign_in(client, world.coordinator)
    page = client.get(f"/group/agreement/signings/{signing.id}").get_data(as_text=True)
    assert f"{world.city_member.full_name} n'est plus élu(e) en fonction à {world.city.name}" in page
    view = client.get(f"/api/v1/group/agreement/signings/{signing.id}", headers=bearer(world.coordinator)).json
    assert view["stalled_on"] == 1
    assert post(client, f"/group/agreement/signings/{signing.id}/cancel").status_code == 302
    assert signing.status == SigningStatus.CANCELLED
