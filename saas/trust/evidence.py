"""Evidence packages: a ZIP a third party can check with nothing but OpenSSL.

Generic on purpose: the convocation code (issue 3) passes its manifests (sitting, recipients, files
with SHA-256 and size, time) and the tokens it obtained at sending; anything else (convocation PDFs)
goes in as extra files, which the manifests cover through the hashes they list.

Layout::

    README.txt                 how to verify, in French, with the CA fingerprint to compare
    verify.sh                  the openssl commands, one per manifest
    certificats/ac.pem         trust anchors (the tenant CA(s), the remote authority's root if any)
    certificats/horodatage.pem the timestamp authority certificates that signed the tokens
    manifestes/<name>          each manifest, byte for byte
    manifestes/<name>.tsr      its RFC 3161 TimeStampResp (DER)
    pieces/<name>              extra files
"""

import dataclasses
import io
import re
import zipfile

from asn1crypto import pem as asn1_pem
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from saas.core import display
from saas.tenancy.models import Tenant
from saas.trust import timestamps
from saas.trust.timestamps import TimestampError, TimestampInfo

MANIFESTS = "manifestes/"
EXTRAS = "pieces/"
CA_FILE = "certificats/ac.pem"
TSA_FILE = "certificats/horodatage.pem"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$")
#: manifests and tokens are small; a bigger member is refused rather than read into memory
MAX_MEMBER_BYTES = 20 * 1024 * 1024


class EvidenceError(Exception):
    """A package that cannot be built or read; the message is in French, for the user."""


@dataclasses.dataclass(frozen=True)
class ManifestResult:
    name: str
    ok: bool
    message: str
    info: TimestampInfo | None = None


def _check_names(names: list[str], what: str) -> None:
    for name in names:
        if not NAME.match(name) or name.endswith(".tsr"):
            raise EvidenceError(
                f"Nom de {what} refusé : « {name} » (lettres, chiffres, « . », « _ », « - » ; pas de « .tsr »)."
            )
    if len(set(names)) != len(names):
        raise EvidenceError(f"Deux {what}s portent le même nom.")


def _pem(certificates: list[x509.Certificate]) -> bytes:
    unique = {c.fingerprint(hashes.SHA256()): c for c in certificates}
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in unique.values())


def _readme(anchors: list[x509.Certificate], names: list[str]) -> str:
    fingerprints = "\n".join(
        f"  - {c.subject.rfc4514_string()}\n    SHA-256 : {c.fingerprint(hashes.SHA256()).hex(':').upper()}"
        for c in anchors
    )
    listing = "\n".join(f"  - {MANIFESTS}{name}" for name in names)
    return f"""DOSSIER DE PREUVE - QUORUM
==========================

Ce dossier contient des manifestes horodatés selon la norme RFC 3161 (horodatage électronique).
Chaque manifeste décrit un envoi (séance, destinataires, fichiers avec leur empreinte SHA-256 et leur
taille, date). Son jeton d'horodatage (fichier .tsr) prouve que le manifeste existait, tel quel, à
la date indiquée dans le jeton : la modification d'un seul octet du manifeste fait échouer la vérification.

Manifestes :
{listing}

1. Vérifier l'autorité de confiance
   Comparez l'empreinte du certificat racine ci-dessous avec celle publiée par la collectivité
   (ou par l'autorité d'horodatage qualifiée qu'elle utilise). Sans cette comparaison, la
   vérification prouve seulement la cohérence du dossier, pas son origine.
{fingerprints}
   Commande : openssl x509 -in {CA_FILE} -noout -fingerprint -sha256

2. Vérifier chaque manifeste avec OpenSSL (1.1 ou plus récent)
   openssl ts -verify -data {MANIFESTS}<nom> -in {MANIFESTS}<nom>.tsr \\
       -CAfile {CA_FILE} -untrusted {TSA_FILE}
   La commande doit afficher « Verification: OK ».
   Le script verify.sh fait cette vérification pour tous les manifestes (sh verify.sh).

3. Lire la date et l'autorité d'un jeton
   openssl ts -reply -in {MANIFESTS}<nom>.tsr -text

4. Vérifier les pièces
   Calculez l'empreinte de chaque fichier du dossier {EXTRAS} (sha256sum {EXTRAS}*) et comparez-la
   à celle inscrite dans le manifeste.

Avertissement : si le certificat racine porte la mention « NON QUALIFIÉ », l'horodatage provient de
l'autorité intégrée à Quorum. Il est techniquement vérifiable, mais ce n'est pas un horodatage
électronique qualifié au sens du règlement eIDAS (article 42).
"""


VERIFY_SH = f"""#!/bin/sh
# Vérifie chaque manifeste horodaté de ce dossier avec OpenSSL ; code de sortie 1 au moindre échec.
cd "$(dirname "$0")" || exit 2
status=0
found=0
for token in {MANIFESTS}*.tsr; do
    [ -e "$token" ] || continue
    found=1
    data="${{token%.tsr}}"
    if openssl ts -verify -data "$data" -in "$token" -CAfile {CA_FILE} -untrusted {TSA_FILE} >/dev/null 2>&1; then
        echo "OK      $data"
    else
        echo "ÉCHEC   $data"
        status=1
    fi
done
[ "$found" = 1 ] || {{ echo "Aucun manifeste horodaté trouvé."; exit 1; }}
exit $status
"""


def build_evidence_zip(
    tenant: Tenant,
    manifests: list[tuple[str, bytes]],
    extra_files: list[tuple[str, bytes]],
    tokens: dict[str, bytes] | None = None,
) -> bytes:
    """The ZIP for ``manifests`` and ``extra_files``.

    ``tokens`` maps manifest names to the tokens obtained when the manifest was made (that is the
    proof that matters); a manifest without one is time-stamped now. Every token is verified before
    it goes in, so a package that would not verify is refused (EvidenceError) instead of delivered.
    """
    tokens = dict(tokens or {})
    names = [name for name, _ in manifests]
    if not names:
        raise EvidenceError("Un dossier de preuve contient au moins un manifeste.")
    _check_names(names, "manifeste")
    _check_names([name for name, _ in extra_files], "pièce")
    unknown = set(tokens) - set(names)
    if unknown:
        raise EvidenceError(f"Jeton sans manifeste : {', '.join(sorted(unknown))}.")
    for name, data in manifests:
        if name not in tokens:
            tokens[name] = timestamps.timestamp(tenant, data)
    # read after stamping: the first stamp of a tenant may have just created its CA
    anchors = timestamps.trust_roots(tenant)
    tsa_certificates = []
    for name, data in manifests:
        try:
            timestamps.verify_timestamp(tokens[name], data, anchors)
        except TimestampError as error:
            raise EvidenceError(f"Le jeton du manifeste « {name} » ne se vérifie pas : {error}") from error
        tsa_certificates += timestamps.signer_certificates(tokens[name])

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _readme(anchors, names))
        script = zipfile.ZipInfo("verify.sh")
        script.external_attr = 0o100755 << 16
        script.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(script, VERIFY_SH)
        archive.writestr(CA_FILE, _pem(anchors))
        archive.writestr(TSA_FILE, _pem(tsa_certificates))
        for name, data in manifests:
            archive.writestr(MANIFESTS + name, data)
            archive.writestr(MANIFESTS + name + ".tsr", tokens[name])
        for name, data in extra_files:
            archive.writestr(EXTRAS + name, data)
    return buffer.getvalue()


def _read(archive: zipfile.ZipFile, member: str) -> bytes:
    if archive.getinfo(member).file_size > MAX_MEMBER_BYTES:
        raise EvidenceError(f"Le fichier « {member} » est trop gros pour un manifeste ou un jeton.")
    return archive.read(member)


def _load_anchors(pem_bytes: bytes) -> list[x509.Certificate]:
    if not asn1_pem.detect(pem_bytes):
        raise EvidenceError("Le fichier des autorités de confiance n'est pas au format PEM.")
    try:
        return x509.load_pem_x509_certificates(pem_bytes)
    except ValueError as error:
        raise EvidenceError("Le fichier des autorités de confiance est illisible.") from error


def verify_evidence_zip(zip_bytes: bytes, trust_pem: bytes | None = None) -> list[ManifestResult]:
    """Verify every manifest of a package, as verify.sh does with OpenSSL.

    ``trust_pem`` is the root the verifier trusts (obtained from the collectivity); without it the
    package's own certificats/ac.pem is used, which proves consistency, not origin (see README.txt).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(zip_bytes))
    except zipfile.BadZipFile as error:
        raise EvidenceError("Ce fichier n'est pas une archive ZIP lisible.") from error
    with archive:
        members = set(archive.namelist())
        if trust_pem is None:
            if CA_FILE not in members:
                raise EvidenceError(f"Le dossier ne contient pas {CA_FILE}.")
            trust_pem = _read(archive, CA_FILE)
        anchors = _load_anchors(trust_pem)
        inside = sorted(m[len(MANIFESTS) :] for m in members if m.startswith(MANIFESTS) and m != MANIFESTS)
        manifests = [m for m in inside if not m.endswith(".tsr")]
        orphans = [m[: -len(".tsr")] for m in inside if m.endswith(".tsr") and m[: -len(".tsr")] not in manifests]
        if not manifests and not orphans:
            raise EvidenceError("Le dossier ne contient aucun manifeste.")
        results = []
        for name in manifests:
            token_member = MANIFESTS + name + ".tsr"
            if token_member not in members:
                results.append(ManifestResult(name, False, "jeton d'horodatage (.tsr) manquant"))
                continue
            try:
                info = timestamps.verify_timestamp(
                    _read(archive, token_member), _read(archive, MANIFESTS + name), anchors
                )
            except TimestampError as error:
                results.append(ManifestResult(name, False, str(error)))
                continue
            when = display.format_datetime(info.gen_time, "long", locale=display.DOCUMENT_LOCALE)
            results.append(ManifestResult(name, True, f"horodaté le {when} par {info.tsa_name}", info))
        for name in orphans:
            results.append(ManifestResult(name, False, "manifeste manquant pour ce jeton"))
    return results
