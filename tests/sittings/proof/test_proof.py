"""Proof of convocation: stamped statements (checked by OpenSSL), idempotent deliveries and openings,
and the evidence package checked by ``quorum evidence verify``."""

import hashlib
import io
import json
import zipfile
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization

from saas.sittings.convocations.evidence import evidence_zip
from saas.sittings.proof import operations as proof
from saas.sittings.proof.models import ProofKind, ProofRecord
from saas.trust import timestamps
from tests.fixtures.verifiers import openssl_verify

SENT_AT = datetime(2027, 2, 1, 9, 30, tzinfo=UTC)
REPORT = b"%PDF-1.7 rapport 44"


@pytest.fixture
def council(create_tenant, create_person, give_mandate, create_sitting):
    tenant = create_tenant(slug="ville-preuve", name="Ville de Besançon")
    anne = create_person(email="anne.vignot@ville.example", first_name="Anne", last_name="Vignot")
    give_mandate(anne, tenant)
    outsider = create_person(email="passant@ailleurs.example")
    sitting = create_sitting(tenant)
    return {"tenant": tenant, "anne": anne, "outsider": outsider, "sitting": sitting}


def _pem(certificates) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


def _rows(session, sitting, kind) -> list[ProofRecord]:
    return list(
        session.execute(
            sa.select(ProofRecord).where(ProofRecord.sitting_id == sitting.id, ProofRecord.kind == kind)
        ).scalars()
    )


def _manifest(council):
    anne = council["anne"]
    return proof.record_manifest(
        council["sitting"],
        recipients=[{"person_id": anne.id, "name": anne.full_name, "email": anne.email, "kind": "convocation"}],
        files=[{"name": "rapport-44.pdf", "sha256": hashlib.sha256(REPORT).hexdigest(), "size": len(REPORT)}],
        sent_at=SENT_AT,
    )


def test_manifest_token_verifies_with_openssl_against_the_tenant_ca(council, in_tenant, tmp_path):
    with in_tenant(council["tenant"]):
        record = _manifest(council)
        anchors = timestamps.trust_roots(council["tenant"])
    statement = json.loads(record.statement)
    assert record.statement == json.dumps(statement, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert statement["destinataires"] == [
        {"id": council["anne"].id, "nom": "Anne Vignot", "email": "anne.vignot@ville.example", "qualite": "convocation"}
    ]
    assert statement["fichiers"][0]["sha256"] == hashlib.sha256(REPORT).hexdigest()
    assert statement["seance"]["id"] == council["sitting"].id and statement["envoye_le"] == "2027-02-01T09:30:00Z"
    assert statement["collectivite"]["nom"] == "Ville de Besançon"  # real UTF-8, readable by a third party
    ca, tsa = _pem(anchors), _pem(timestamps.signer_certificates(record.token))
    result = openssl_verify(tmp_path / "ok", record.statement_bytes, record.token, ca, tsa)
    assert result.returncode == 0 and "Verification: OK" in result.stdout, result.stdout + result.stderr
    altered = record.statement_bytes.replace(b"Anne Vignot", b"Anne Vignoz")
    assert openssl_verify(tmp_path / "altered", altered, record.token, ca, tsa).returncode != 0


def test_manifest_refuses_a_bad_file_hash_and_writes_nothing(council, in_tenant, session):
    with in_tenant(council["tenant"]):
        with pytest.raises(proof.ProofError, match="SHA-256"):
            proof.record_manifest(
                council["sitting"],
                recipients=[{"person_id": 1, "name": "X", "email": "x@example.org", "kind": "convocation"}],
                files=[{"name": "a.pdf", "sha256": "pas-une-empreinte", "size": 3}],
                sent_at=SENT_AT,
            )
        assert _rows(session, council["sitting"], ProofKind.MANIFEST) == []


def test_delivery_is_idempotent_and_names_the_member(council, in_tenant, session):
    sitting, anne = council["sitting"], council["anne"]
    with in_tenant(council["tenant"]):
        first = proof.record_delivery(sitting.id, anne.id, "email", SENT_AT)
        again = proof.record_delivery(sitting.id, anne.id, "email", datetime(2027, 2, 2, tzinfo=UTC))
        assert again.id == first.id and again.token == first.token
        assert len(_rows(session, sitting, ProofKind.DELIVERY)) == 1
        statement = json.loads(first.statement)
        assert statement["destinataire"] == {"id": anne.id, "nom": "Anne Vignot", "email": "anne.vignot@ville.example"}
        assert statement["canal"] == "email" and statement["remis_le"] == "2027-02-01T09:30:00Z"
        # a concurrent worker that passed the first check still ends with the one row (unique key)
        duplicate = proof._stamp(sitting, ProofKind.DELIVERY, anne.id, "email", {"canal": "email"})
        assert proof._add_once(duplicate).id == first.id
        assert len(_rows(session, sitting, ProofKind.DELIVERY)) == 1
        with pytest.raises(proof.ProofError, match="Canal"):
            proof.record_delivery(sitting.id, anne.id, "../mail", SENT_AT)


def test_first_opening_only_and_only_for_members(council, in_tenant, session, create_sitting):
    sitting, anne = council["sitting"], council["anne"]
    with in_tenant(council["tenant"], anne):
        first = proof.keep_opening(proof.unrecorded_opening(sitting, anne))
        assert proof.unrecorded_opening(sitting, anne) is None, "recorded once"
        statement = json.loads(first.statement)
        assert statement["membre"] == {"id": anne.id, "nom": "Anne Vignot", "email": "anne.vignot@ville.example"}
        assert proof.unrecorded_opening(sitting, council["outsider"]) is None
    draft = create_sitting(council["tenant"], convene=False)
    with in_tenant(council["tenant"], anne):
        assert proof.unrecorded_opening(draft, anne) is None
        assert len(_rows(session, sitting, ProofKind.OPENING)) == 1
        assert _rows(session, draft, ProofKind.OPENING) == []


def test_evidence_zip_verifies_and_fails_after_a_change(app, council, in_tenant, tmp_path):
    sitting, anne = council["sitting"], council["anne"]
    with in_tenant(council["tenant"], anne):
        with pytest.raises(proof.ProofError, match="Aucune preuve"):
            evidence_zip(sitting)
        manifest = _manifest(council)
        proof.record_delivery(sitting.id, anne.id, "email", SENT_AT)
        proof.keep_opening(proof.unrecorded_opening(sitting, anne))
        package = evidence_zip(sitting)
    archive = zipfile.ZipFile(io.BytesIO(package))
    names = set(archive.namelist())
    expected = {"manifeste.json", f"remise-{anne.id}-email.json", f"ouverture-{anne.id}.json"}
    assert {f"manifestes/{n}" for n in expected} | {f"manifestes/{n}.tsr" for n in expected} <= names
    # the tokens are the ones obtained at the time, byte for byte, not new ones
    assert archive.read("manifestes/manifeste.json.tsr") == manifest.token
    assert archive.read("manifestes/manifeste.json") == manifest.statement_bytes

    runner = app.test_cli_runner()
    good = tmp_path / "preuve.zip"
    good.write_bytes(package)
    result = runner.invoke(args=["evidence", "verify", str(good)])
    assert result.exit_code == 0 and result.output.count("OK ") == 3, result.output

    bad = tmp_path / "modifie.zip"
    with zipfile.ZipFile(bad, "w") as target:
        for info in archive.infolist():
            data = archive.read(info)
            if info.filename == "manifestes/manifeste.json":
                data = data.replace(b"rapport-44.pdf", b"rapport-45.pdf")
            target.writestr(info, data)
    result = runner.invoke(args=["evidence", "verify", str(bad)])
    assert result.exit_code == 1 and "FAILED  manifeste.json" in result.output, result.output
