"""Evidence packages: verified by ``quorum evidence verify`` and by the package's own verify.sh (OpenSSL)."""

import io
import subprocess
import zipfile

import pytest

from saas.trust import pki, timestamps
from saas.trust.evidence import EvidenceError, build_evidence_zip, verify_evidence_zip

MANIFESTS = [
    ("envoi-seance-44.json", b'{"sitting": 44, "recipients": 80, "files": [{"sha256": "ab12", "size": 1024}]}'),
    ("remise-anne-vignot.json", b'{"sitting": 44, "person": "Anne Vignot", "event": "delivered"}'),
]
EXTRAS = [("convocation-anne-vignot.pdf", b"%PDF-1.7 convocation")]


def _rewrite(package: bytes, member: str, change) -> bytes:
    """The same ZIP with ``member``'s bytes passed through ``change``, as someone editing the archive would."""
    source = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, change(data) if info.filename == member else data)
    return out.getvalue()


def _verify_sh(tmp_path, package: bytes) -> subprocess.CompletedProcess:
    folder = tmp_path / "extracted"
    zipfile.ZipFile(io.BytesIO(package)).extractall(folder)
    return subprocess.run(["sh", str(folder / "verify.sh")], capture_output=True, text=True, timeout=120)


@pytest.fixture
def package(create_tenant, in_tenant):
    tenant = create_tenant(name="Ville de Besançon")
    with in_tenant(tenant):
        return tenant, build_evidence_zip(tenant, MANIFESTS, EXTRAS)


def test_package_verifies_with_the_cli_and_with_openssl(app, tmp_path, package):
    tenant, data = package
    names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    assert {"README.txt", "verify.sh", "certificats/ac.pem", "certificats/horodatage.pem"} <= names
    assert {"manifestes/envoi-seance-44.json.tsr", "pieces/convocation-anne-vignot.pdf"} <= names
    (tmp_path / "preuve.zip").write_bytes(data)
    result = app.test_cli_runner().invoke(args=["evidence", "verify", str(tmp_path / "preuve.zip")])
    assert result.exit_code == 0, result.output
    assert result.output.count("OK ") == 2 and "FAILED" not in result.output
    script = _verify_sh(tmp_path, data)
    assert script.returncode == 0, script.stdout + script.stderr
    assert script.stdout.count("OK ") == 2


def test_readme_gives_the_ca_fingerprint_to_compare(package, in_tenant):
    tenant, data = package
    readme = zipfile.ZipFile(io.BytesIO(data)).read("README.txt").decode()
    with in_tenant(tenant):
        fingerprint = pki.tenant_ca(tenant).fingerprint
    assert fingerprint in readme and "openssl ts -verify" in readme and "NON QUALIFIÉ" in readme


def test_an_altered_manifest_fails_the_cli_and_openssl(app, tmp_path, package):
    _, data = package
    altered = _rewrite(data, "manifestes/envoi-seance-44.json", lambda b: b.replace(b"80", b"81"))
    (tmp_path / "preuve.zip").write_bytes(altered)
    result = app.test_cli_runner().invoke(args=["evidence", "verify", str(tmp_path / "preuve.zip")])
    assert result.exit_code == 1
    assert "FAILED  envoi-seance-44.json: Les données ne correspondent pas" in result.output
    assert "OK      remise-anne-vignot.json" in result.output
    script = _verify_sh(tmp_path, altered)
    assert script.returncode == 1 and "ÉCHEC   manifestes/envoi-seance-44.json" in script.stdout


def test_a_missing_token_and_a_foreign_root_fail(app, tmp_path, package, create_tenant, in_tenant):
    _, data = package
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename != "manifestes/remise-anne-vignot.json.tsr":
                target.writestr(info, source.read(info))
    results = {r.name: r for r in verify_evidence_zip(out.getvalue())}
    assert results["remise-anne-vignot.json"].ok is False and "manquant" in results["remise-anne-vignot.json"].message
    assert results["envoi-seance-44.json"].ok

    other = create_tenant()
    with in_tenant(other):
        (tmp_path / "autre-ac.pem").write_bytes(pki.tenant_ca(other).pem)
    (tmp_path / "preuve.zip").write_bytes(data)
    result = app.test_cli_runner().invoke(
        args=["evidence", "verify", str(tmp_path / "preuve.zip"), "--ca", str(tmp_path / "autre-ac.pem")]
    )
    assert result.exit_code == 1 and result.output.count("FAILED") == 2


def test_tokens_obtained_at_sending_are_kept_as_they_are(create_tenant, in_tenant):
    tenant = create_tenant()
    with in_tenant(tenant):
        token = timestamps.timestamp(tenant, MANIFESTS[0][1])
        data = build_evidence_zip(tenant, MANIFESTS, [], tokens={MANIFESTS[0][0]: token})
        with pytest.raises(EvidenceError, match="ne se vérifie pas"):
            build_evidence_zip(tenant, MANIFESTS, [], tokens={MANIFESTS[1][0]: token})
    assert zipfile.ZipFile(io.BytesIO(data)).read("manifestes/envoi-seance-44.json.tsr") == token


def test_bad_input_gets_clear_errors(app, tmp_path, create_tenant, in_tenant):
    tenant = create_tenant()
    with in_tenant(tenant):
        with pytest.raises(EvidenceError, match="Nom de manifeste refusé"):
            build_evidence_zip(tenant, [("../evil", b"x")], [])
        with pytest.raises(EvidenceError, match="au moins un manifeste"):
            build_evidence_zip(tenant, [], [])
        with pytest.raises(EvidenceError, match="même nom"):
            build_evidence_zip(tenant, [("a.json", b"1"), ("a.json", b"2")], [])
    (tmp_path / "pas-un-zip.zip").write_bytes(b"hello")
    result = app.test_cli_runner().invoke(args=["evidence", "verify", str(tmp_path / "pas-un-zip.zip")])
    assert result.exit_code != 0 and "n'est pas une archive ZIP lisible" in result.output
