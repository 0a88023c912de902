"""Sole control: a fresh TOTP, once, for named documents; a batch asks once and signs in a job, idempotently."""

import time
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa

from saas.core.database import SYSTEM, commit, context, utcnow
from saas.identity import authentication
from saas.identity.models import LoginFailure
from saas.jobs.queues import run
from saas.signing import operations, validation
from saas.signing.jobs import sign_batch
from saas.signing.models import BatchStatus, ItemStatus, SigningBatch
from saas.signing.operations import SigningRefused
from saas.storage.operations import find_blob, read_all, store
from tests.fixtures.signed import prepared


@pytest.fixture
def signer(session, clock, create_tenant, create_person):
    """A tenant, and its mayor enrolled with a TOTP app; ``codes`` gives successive valid codes."""
    tenant = create_tenant(name="Ville de Besançon")
    mayor = create_person(first_name="Anne", last_name="Vignot")
    secret = authentication.new_totp_secret()
    now = time.time()  # the first second of a step: the clock is stopped (``clock``)
    with context(session, SYSTEM):
        assert authentication.enroll_totp(mayor, secret, pyotp.TOTP(secret).at(now - 30))
    codes = iter([pyotp.TOTP(secret).at(now), pyotp.TOTP(secret).at(now + 30)])
    return tenant, mayor, codes


def test_signing_needs_a_fresh_code_that_serves_once(tmp_path, session, signer, create_person, in_tenant):
    tenant, mayor, codes = signer
    pdf = prepared(tmp_path)
    digest = operations.file_sha256(pdf)
    with in_tenant(tenant):
        with pytest.raises(SigningRefused, match="Activez la double authentification"):
            operations.authorise_signing(tenant, create_person(), "123456", [digest])
        for code in (None, "", "000000"):
            with pytest.raises(SigningRefused, match="Code de vérification incorrect"):
                operations.authorise_signing(tenant, mayor, code, [digest])
        assert session.scalar(sa.select(sa.func.count()).select_from(LoginFailure)) >= 1  # throttled like a login
        code = next(codes)
        authorisation = operations.authorise_signing(tenant, mayor, code, [digest])
        with pytest.raises(SigningRefused, match="déjà utilisé"):
            operations.authorise_signing(tenant, mayor, code, [digest])  # a replayed code
        other = create_person()
        with pytest.raises(SigningRefused, match="inconnue"):
            operations.use_authorisation(authorisation.id, other, [digest])
        with pytest.raises(SigningRefused, match="ne fait pas partie"):
            operations.use_authorisation(authorisation.id, mayor, ["0" * 64])
        operations.sign_file(authorisation, mayor, tenant, pdf, tmp_path / "signed.pdf", field="maire", role="Maire")
        with pytest.raises(SigningRefused, match="déjà servi"):
            operations.sign_file(authorisation, mayor, tenant, pdf, tmp_path / "again.pdf", field="maire", role="Maire")
        report = validation.validate(tenant, tmp_path / "signed.pdf", "signed.pdf")
        expired = operations.authorise_signing(tenant, mayor, next(codes), [digest])
        expired.expires_at = utcnow() - timedelta(seconds=1)
        with pytest.raises(SigningRefused, match="expiré"):
            operations.use_authorisation(expired.id, mayor, [digest])
    assert report.ok and report.signatures[0].signer == "Anne Vignot"
    assert not (tmp_path / "again.pdf").exists()


def test_a_batch_asks_once_and_signs_in_a_job_idempotently(tmp_path, session, signer, storage, in_tenant):
    tenant, mayor, codes = signer
    with in_tenant(tenant):
        blobs = []
        for number in range(3):
            folder = tmp_path / str(number)
            folder.mkdir()
            with open(prepared(folder, pages=2 + number), "rb") as handle:  # three different documents
                blobs.append(store(tenant.id, handle))
        authorisation = operations.authorise_signing(tenant, mayor, next(codes), [blob.sha256 for blob in blobs])
        batch = operations.request_batch(
            authorisation, mayor, tenant, [(blob.id, "maire") for blob in blobs], role="Maire"
        )
        batch_id = batch.id
        commit(session)
    run(sign_batch.name, tenant.id, [batch_id])  # already ran inline in the embedded column: a no-op there
    with in_tenant(tenant):
        batch = session.get(SigningBatch, batch_id)
        session.refresh(batch)
        assert batch.status == BatchStatus.DONE and batch.done == len(batch.items) == 3
        assert {item.status for item in batch.items} == {ItemStatus.SIGNED}
        signed = read_all(find_blob(batch.items[0].signed_blob_id))
        (tmp_path / "from-batch.pdf").write_bytes(signed)
        assert validation.validate(tenant, tmp_path / "from-batch.pdf", "x.pdf").ok
        # the job run again on the same items, as RQ may do: nothing is signed twice
        for item in batch.items:
            item.status = ItemStatus.PENDING
        batch.status = BatchStatus.PENDING
        item = batch.items[0]
        item.source_blob_id = item.signed_blob_id
        for other in batch.items[1:]:
            other.status = ItemStatus.SIGNED
        commit(session)
    run(sign_batch.name, tenant.id, [batch_id])
    with in_tenant(tenant):
        batch = session.get(SigningBatch, batch_id)
        session.refresh(batch)
        assert batch.items[0].status == ItemStatus.ALREADY_SIGNED and batch.status == BatchStatus.DONE
