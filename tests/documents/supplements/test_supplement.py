"""Documents added or replaced after sending: a time-stamped "complément" statement, one mail per convened
or invited person (whatever is retried), its delivery stamped, all in the evidence package; nothing for a
draft, nothing for a refused file.

The jobs run inline (embedded column) or wait in Redis (production column); ``drain`` runs them in both
columns — a second run in the embedded column, which must add nothing. The last test runs a real
``quorum worker`` on an installation that commits for real.
"""

import email
import email.policy
import hashlib
import io
import itertools
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization

from saas.core.database import SYSTEM, TenantContext, commit, context
from saas.documents.intake.check import PdfRejected
from saas.documents.models import Document, DocumentVersion
from saas.documents.operations import DocumentError, add_item_document, placed_items, replace_document
from saas.documents.supplements.jobs import prepare_supplement, record_supplement_delivery
from saas.documents.supplements.operations import mail_key
from saas.identity.models import MandateRole
from saas.jobs.queues import run
from saas.mail.jobs import deliver_mail
from saas.mail.models import OutboundMail
from saas.sittings.convocations.evidence import evidence_zip
from saas.sittings.convocations.operations import send_convocations
from saas.sittings.models import AgendaItem, Sitting
from saas.sittings.operations import add_item
from saas.sittings.proof.models import ProofKind, ProofRecord
from saas.storage.models import Blob
from saas.trust import pki, timestamps
from saas.trust.evidence import verify_evidence_zip
from tests.fixtures.convocations import convene as convene_fresh
from tests.fixtures.convocations import drain
from tests.fixtures.instances import fresh_app, production, run_worker, system_session
from tests.fixtures.pdfs import clean_pdf
from tests.fixtures.sittings import MONDAY_15_MARCH_2027
from tests.fixtures.verifiers import openssl_verify
from tests.services import free_port

ON_TIME = MONDAY_15_MARCH_2027 - timedelta(days=20)


@pytest.fixture
def council(session, storage, create_tenant, create_person, give_mandate, create_sitting, in_tenant):
    """A commune's council: 3 members, 1 staff member, a draft sitting with a public and a closed-session item."""
    tenant = create_tenant(name="Ville de Pontarlier")
    members = [create_person(last_name=f"Membre{n}") for n in range(3)]
    for person in members:
        give_mandate(person, tenant)
    staff = create_person(last_name="Agent")
    give_mandate(staff, tenant, role=MandateRole.STAFF)
    sitting = create_sitting(tenant, convene=False, items=0)
    with in_tenant(tenant):
        public = add_item(sitting, title="Équipement numérique", actor=None)
        closed = add_item(sitting, title="Acquisition amiable", confidential=True, actor=None)
    return {"tenant": tenant, "people": [*members, staff], "sitting": sitting, "item": public, "closed": closed}


def pdf_bytes(tmp_path, name: str, pages: int = 2) -> bytes:
    return clean_pdf(tmp_path / name, pages=pages).read_bytes()


def convene(session, in_tenant, council) -> None:
    with in_tenant(council["tenant"]):
        send_convocations(council["sitting"], None, at=ON_TIME)
        commit(session)
    drain(session, council["sitting"])


def add_annex(session, in_tenant, council, data: bytes, item_key="item", title="Plan de financement"):
    with in_tenant(council["tenant"]):
        document = add_item_document(council[item_key], "annex", title, io.BytesIO(data), "plan.pdf", None)
        commit(session)
    return document


def supplement_mails(session, version_id: int) -> list[OutboundMail]:
    with context(session, SYSTEM):
        query = sa.select(OutboundMail).where(OutboundMail.key.like(f"supplement:{version_id}:%"))
        return list(session.execute(query.order_by(OutboundMail.id)).scalars())


def drain_supplement(session, tenant, version_id: int, people) -> None:
    """Run every job of the supplement (each is idempotent: in the embedded column they already ran)."""
    with context(session, SYSTEM):
        item_ids = [item.id for item in placed_items(session.get(DocumentVersion, version_id).document.report)]
    for item_id in item_ids:
        for person in people:
            run("saas.documents.supplements.jobs.prepare_supplement", tenant.id, [version_id, item_id, person.id])
    for mail in supplement_mails(session, version_id):
        run("saas.mail.jobs.deliver_mail", None, [mail.id])
        run("saas.documents.supplements.jobs.record_supplement_delivery", tenant.id, [mail.id])


def proofs(session, sitting, kind: ProofKind) -> list[ProofRecord]:
    with context(session, SYSTEM):
        query = sa.select(ProofRecord).where(ProofRecord.sitting_id == sitting.id, ProofRecord.kind == kind)
        return list(session.execute(query.order_by(ProofRecord.id)).scalars())


def _pem(certificates) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


def test_annex_after_sending_is_stamped_and_sent_once_to_each_person(
    app, session, council, in_tenant, audit_events, tmp_path
):
    tenant, sitting, people = council["tenant"], council["sitting"], council["people"]
    convene(session, in_tenant, council)
    data = pdf_bytes(tmp_path, "plan.pdf")
    document = add_annex(session, in_tenant, council, data)
    version = document.current_version
    for _ in range(2):  # a retry of every job changes nothing
        drain_supplement(session, tenant, version.id, people)

    mails = supplement_mails(session, version.id)
    assert sorted(m.key for m in mails) == sorted(mail_key(version.id, sitting.id, p.id) for p in people)
    assert all(m.sent_at is not None and m.purpose == "supplement" for m in mails)
    body = mails[0].body_text
    assert "Point n° 1 : Équipement numérique" in body and "Nouveau document (annexe) : « Plan de financement »" in body
    assert f"/t/{tenant.slug}/s/{sitting.id}" in body and mails[0].subject.startswith("Document ajouté")

    [statement] = proofs(session, sitting, ProofKind.SUPPLEMENT)
    content = json.loads(statement.statement)
    assert content["type"] == "supplement" and content["seance"]["id"] == sitting.id
    assert content["fichier"] == {"nom": "plan.pdf", "sha256": version.sha256, "taille": version.size}
    assert version.sha256 == hashlib.sha256(data).hexdigest()  # a clean PDF is published byte for byte
    assert content["point"] == {"id": council["item"].id, "numero": 1, "titre": "Équipement numérique"}
    assert content["document"]["operation"] == "ajout" and content["document"]["version"] == 1
    assert sorted(r["id"] for r in content["destinataires"]) == sorted(p.id for p in people)
    assert {r["qualite"] for r in content["destinataires"]} == {"convocation", "invitation"}
    with in_tenant(tenant):
        ca = _pem(timestamps.trust_roots(tenant))
    tsa = _pem(timestamps.signer_certificates(statement.token))
    verified = openssl_verify(tmp_path / "ok", statement.statement_bytes, statement.token, ca, tsa)
    assert verified.returncode == 0 and "Verification: OK" in verified.stdout, verified.stdout + verified.stderr
    altered = statement.statement_bytes.replace(version.sha256.encode(), b"0" * 64)
    assert openssl_verify(tmp_path / "altered", altered, statement.token, ca, tsa).returncode != 0

    deliveries = [r for r in proofs(session, sitting, ProofKind.DELIVERY) if r.channel == f"email-v{version.id}"]
    assert sorted(r.person_id for r in deliveries) == sorted(p.id for p in people)
    assert json.loads(deliveries[0].statement)["objet"]["sha256"] == version.sha256
    [(sitting_id, event)] = audit_events(tenant, "sitting.supplement_sent")
    assert sitting_id == str(sitting.id) and event["recipients"] == 4 and event["sha256"] == version.sha256

    with in_tenant(tenant):
        package = evidence_zip(sitting)
    names = set(zipfile.ZipFile(io.BytesIO(package)).namelist())
    expected = {f"complement-v{version.id}.json"} | {f"remise-{p.id}-email-v{version.id}.json" for p in people}
    assert {f"manifestes/{n}" for n in expected} | {f"manifestes/{n}.tsr" for n in expected} <= names
    archive = tmp_path / "preuve.zip"
    archive.write_bytes(package)
    result = app.test_cli_runner().invoke(args=["evidence", "verify", str(archive)])
    assert result.exit_code == 0 and f"OK      complement-v{version.id}.json" in result.output, result.output


def test_replacing_says_replaced_with_version_2(session, council, in_tenant, tmp_path):
    tenant, sitting, people = council["tenant"], council["sitting"], council["people"]
    document = add_annex(session, in_tenant, council, pdf_bytes(tmp_path, "v1.pdf", pages=1))  # before sending
    convene(session, in_tenant, council)
    assert proofs(session, sitting, ProofKind.SUPPLEMENT) == []
    with in_tenant(tenant):
        new = io.BytesIO(pdf_bytes(tmp_path, "v2.pdf", pages=3))
        version = replace_document(document, new, "plan-v2.pdf", None, note="Montants corrigés")
        commit(session)
    drain_supplement(session, tenant, version.id, people)
    mails = supplement_mails(session, version.id)
    assert len(mails) == 4 and mails[0].subject.startswith("Document remplacé")
    body = mails[0].body_text
    assert "Document remplacé (annexe) : « Plan de financement », désormais en version 2." in body
    assert "Motif du remplacement : Montants corrigés" in body
    [statement] = proofs(session, sitting, ProofKind.SUPPLEMENT)
    content = json.loads(statement.statement)
    assert content["document"]["operation"] == "remplacement" and content["document"]["version"] == 2
    assert content["fichier"]["nom"] == "plan-v2.pdf" and content["fichier"]["sha256"] == version.sha256


def test_closed_session_item_mail_names_neither_item_nor_document(session, council, in_tenant, tmp_path):
    convene(session, in_tenant, council)
    document = add_annex(session, in_tenant, council, pdf_bytes(tmp_path, "c.pdf"), "closed", title="Prix secret")
    drain_supplement(session, council["tenant"], document.current_version.id, council["people"])
    mails = supplement_mails(session, document.current_version.id)
    assert len(mails) == 4
    for mail in mails:
        assert "Point n° 2 (examiné à huis clos)" in mail.body_text
        assert "Acquisition amiable" not in mail.body_text and "Prix secret" not in mail.body_text + mail.subject


def test_adding_to_a_draft_sends_nothing(session, council, in_tenant, audit_events, tmp_path):
    document = add_annex(session, in_tenant, council, pdf_bytes(tmp_path, "draft.pdf"))
    assert supplement_mails(session, document.current_version.id) == []
    assert proofs(session, council["sitting"], ProofKind.SUPPLEMENT) == []
    assert audit_events(council["tenant"], "sitting.supplement_sent") == []


def _counts(session, tenant) -> tuple[int, ...]:
    with context(session, SYSTEM):
        models = (Document, DocumentVersion, Blob, ProofRecord)
        return tuple(
            session.execute(sa.select(sa.func.count()).select_from(m).where(m.tenant_id == tenant.id)).scalar_one()
            for m in models
        ) + (session.execute(sa.select(sa.func.count()).select_from(OutboundMail)).scalar_one(),)


def test_a_refused_file_sends_and_stores_nothing(session, council, in_tenant, audit_events):
    convene(session, in_tenant, council)
    before = _counts(session, council["tenant"])
    with in_tenant(council["tenant"]), pytest.raises(PdfRejected):
        add_item_document(council["item"], "annex", "Plan", io.BytesIO(b"%PDF-1.7 broken"), "plan.pdf", None)
    session.rollback()
    assert _counts(session, council["tenant"]) == before
    assert audit_events(council["tenant"], "sitting.supplement_sent") == []


def test_an_unreachable_timestamp_authority_refuses_the_document(session, council, in_tenant, tmp_path):
    tenant = council["tenant"]
    convene(session, in_tenant, council)
    with in_tenant(tenant):
        ca_pem = pki.certificates(tenant, pki.CertificateKind.CA)[0].public_bytes(serialization.Encoding.PEM)
        timestamps.set_tsa(tenant, f"http://127.0.0.1:{free_port()}/tsa", ca_pem.decode())
        commit(session)
        before = _counts(session, tenant)
        with pytest.raises(DocumentError, match="horodatage"):
            add_item_document(council["item"], "annex", "Plan", io.BytesIO(pdf_bytes(tmp_path, "p.pdf")), "p.pdf", None)
    session.rollback()
    assert _counts(session, tenant) == before


# --- A real worker, committing for real -----------------------------------------------------------

_numbers = itertools.count(500)


def release_everything_again(app, tenant_id: int, version_id: int, item_id: int, person_ids: list[int]) -> None:
    """Every job of the supplement released once more, as retries after a crash would."""
    with system_session(app) as session:
        for person_id in person_ids:
            prepare_supplement.delay(
                version_id,
                item_id,
                person_id,
                tenant_id=tenant_id,
                job_id=f"supplement-{version_id}-{item_id}-{person_id}",
            )
        for mail in supplement_mails(session, version_id):
            deliver_mail.delay(mail.id, tenant_id=None, job_id=f"mail-{mail.id}")
            record_supplement_delivery.delay(mail.id, tenant_id=tenant_id, job_id=f"mail-{mail.id}-delivered")
        commit(session)


def worker_state(app, sitting_id: int, version_id: int) -> tuple[list[str], list[int]]:
    """(keys of the supplement's sent mails, persons whose delivery of it is stamped)."""
    with system_session(app) as session:
        sent = sorted(m.key for m in supplement_mails(session, version_id) if m.sent_at is not None)
        sitting = session.get(Sitting, sitting_id)
        stamped = [
            r.person_id for r in proofs(session, sitting, ProofKind.DELIVERY) if r.channel == f"email-v{version_id}"
        ]
        return sent, sorted(stamped)


def received(app, smtp_server, addresses) -> list:
    if production():
        raw = [m.as_bytes() for m in smtp_server.messages if m["To"] in addresses]
    else:
        raw = [p.read_bytes() for p in sorted((Path(app.instance_path) / "outbox").glob("*.eml"))]
    messages = [email.message_from_bytes(r, policy=email.policy.default) for r in raw]
    return [m for m in messages if m["Subject"].startswith("Document ajouté")]


def test_a_real_worker_sends_one_supplement_mail_each_whatever_is_retried(tmp_path, smtp_server):
    with fresh_app(tmp_path, "supplement", smtp_server.port) as app:
        tenant_id, sitting_id, addresses = convene_fresh(app, next(_numbers))
        if production():
            run_worker(app)
        with system_session(app) as session, context(session, TenantContext(tenant_id=tenant_id)):
            item = session.execute(sa.select(AgendaItem).where(AgendaItem.sitting_id == sitting_id)).scalar_one()
            data = io.BytesIO(pdf_bytes(tmp_path, "annexe.pdf"))
            version_id = add_item_document(item, "annex", "Annexe", data, "annexe.pdf", None).current_version.id
            item_id = item.id
            commit(session)
        if production():
            assert worker_state(app, sitting_id, version_id) == ([], [])  # waiting in Redis for a worker
            run_worker(app)
        first = worker_state(app, sitting_id, version_id)
        person_ids = sorted(int(key.split(":")[3]) for key in first[0])
        assert len(person_ids) == 6 and first[1] == person_ids
        assert sorted(m["To"] for m in received(app, smtp_server, addresses)) == sorted(addresses)

        release_everything_again(app, tenant_id, version_id, item_id, person_ids)
        if production():
            run_worker(app)
        assert worker_state(app, sitting_id, version_id) == first
        assert len(received(app, smtp_server, addresses)) == 6
        with system_session(app) as session, context(session, TenantContext(tenant_id=tenant_id)):
            package = evidence_zip(session.get(Sitting, sitting_id))
            commit(session)
        results = {r.name: r.ok for r in verify_evidence_zip(package)}
        assert results[f"complement-v{version_id}.json"] and all(results.values()), results
