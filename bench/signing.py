"""Benchmark 3: PAdES signing through Quorum against bare pyHanko, and a batch of 40 deliberations.

1. A 50 MB PDF (bench.pdfgen, fields prepared by ``pades.prepare_fields``) is signed B-T, alternately,
   by bare pyHanko (``PdfSigner.sign_pdf`` with the same key, certificate and built-in time stamper,
   obtained before the clock starts) and by the service (``saas.signing.pades.sign``: key unsealed from
   the database, field checks, stamp, time stamp), N times each, each run in a fresh process warmed up
   on a 2-page PDF. Wall time (median) and peak memory growth (VmHWM reset through
   /proc/self/clear_refs, minus the RSS just before). Goal: service ≤ 1.5 × the time, ≤ +50 MB of peak.
2. 40 two-page deliberations stored (encrypted) as blobs, one second factor, ``request_batch`` then the
   job (inline, as in the embedded column): total and per-document time, until the signed blobs are stored.
"""

import json
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import MIB, application, machine, proc_status, reset_peak, temporary_folder
from bench.pdfgen import write_pdf

SIZE_MB = int(os.environ.get("BENCH_SIGN_MB", "50"))
RUNS = int(os.environ.get("BENCH_SIGN_RUNS", "3"))
BATCH = int(os.environ.get("BENCH_SIGN_BATCH", "40"))
FIELD = (50.0, 50.0, 250.0, 130.0)


def measure(action) -> tuple[float, int]:
    """Wall time and peak memory growth of ``action()`` in this process."""
    pid = os.getpid()
    reset_peak(pid)
    before = proc_status(pid)["VmRSS"]
    started = time.perf_counter()
    action()
    elapsed = time.perf_counter() - started
    return elapsed, proc_status(pid)["VmHWM"] - before


def add_field(source: Path, prepared: Path) -> None:
    """The signature field, added with pyHanko directly: the generated pages are full-page noise, which
    ``pades.prepare_fields`` would rightly refuse to cover (the field is not what is measured)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields

    with open(source, "rb") as handle, open(prepared, "wb") as out:
        writer = IncrementalPdfFileWriter(handle, strict=False)
        fields.append_signature_field(writer, fields.SigFieldSpec("maire", on_page=-1, box=FIELD))
        writer.write(out)


def bare_signer(tenant, person, pdf_in: Path, pdf_out: Path):
    """pyHanko alone, with what the service would use, prepared before the measurement."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    from saas.trust import keys, timestamps

    signer = keys.signer_for(tenant, person)
    meta = signers.PdfSignatureMetadata(
        field_name="maire", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
    )

    def sign():
        with signer.open() as cms_signer, open(pdf_in, "rb") as source, open(pdf_out, "w+b") as out:
            pdf_signer = signers.PdfSigner(meta, signer=cms_signer, timestamper=timestamps.stamper_for(tenant))
            pdf_signer.sign_pdf(IncrementalPdfFileWriter(source, strict=False), output=out)

    return sign


def _env(tmp: Path) -> dict:
    return {
        "QUORUM_INSTANCE_PATH": str(tmp / "instance"),
        "QUORUM_DATABASE_URL": f"sqlite:///{tmp / 'instance' / 'quorum.db'}",
        "QUORUM_REDIS_URL": "",
    }


def child(mode: str, tmp: Path) -> None:
    """One measurement in a fresh process: warm up on the small PDF, then sign the big one once."""
    import sqlalchemy as sa

    from saas.core.database import TenantContext, set_context
    from saas.identity.models import Person
    from saas.signing import pades
    from saas.tenancy.models import Tenant
    from saas.trust import keys

    with application(_env(tmp)) as session:
        tenant = session.scalars(sa.select(Tenant).where(Tenant.slug == "bench")).one()
        mayor = session.scalars(sa.select(Person).where(Person.email == "maire@banc.example")).one()
        set_context(session, TenantContext(tenant_id=tenant.id))
        stamp = pades.Stamp(mayor.full_name, "Maire", tenant.name)

        def actions(pdf_in: Path, pdf_out: Path):
            def service():
                signer = keys.signer_for(tenant, mayor)
                pades.sign(pdf_in, pdf_out, tenant=tenant, field="maire", signer=signer, stamp=stamp)

            return bare_signer(tenant, mayor, pdf_in, pdf_out) if mode == "bare" else service

        actions(tmp / "small.pdf", tmp / f"small-{mode}.pdf")()  # warm-up: imports, caches
        elapsed, memory = measure(actions(tmp / "prepared.pdf", tmp / f"{mode}.pdf"))
    print(json.dumps({"seconds": elapsed, "memory": memory}))


def _run_child(mode: str, tmp: Path) -> tuple[float, int]:
    result = subprocess.run(
        [sys.executable, "-m", "bench.signing", "child", mode, str(tmp)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    values = json.loads(result.stdout.strip().splitlines()[-1])
    return values["seconds"], values["memory"]


def main() -> None:
    from flask_migrate import upgrade
    from tests.documents.pdfs import clean_pdf

    from saas.core.database import commit
    from saas.identity.models import Person
    from saas.tenancy.models import Tenant, TenantKind

    print(machine())
    with temporary_folder("quorum-bench-signing-") as folder:
        tmp = Path(folder)
        (tmp / "instance").mkdir()
        with application(_env(tmp)) as session:
            upgrade()
            tenant = Tenant(
                slug="bench", name="Ville de Banc", kind=TenantKind.COMMUNE, siren="999999999", population=50000
            )
            mayor = Person(email="maire@banc.example", first_name="Camille", last_name="Banc")
            session.add_all([tenant, mayor])
            commit(session)
        size = write_pdf(tmp / "big.pdf", SIZE_MB * MIB)
        add_field(tmp / "big.pdf", tmp / "prepared.pdf")
        add_field(clean_pdf(tmp / "small-source.pdf", pages=2), tmp / "small.pdf")
        results = {"pyHanko seul": [], "Quorum (service)": []}
        for _ in range(RUNS):
            results["pyHanko seul"].append(_run_child("bare", tmp))
            results["Quorum (service)"].append(_run_child("service", tmp))
        print(f"Signature B-T d'un PDF de {size / MIB:.1f} Mio ({size:,} octets), {RUNS} essais chacun, médiane")
        print("(chaque essai dans un processus neuf, après un échauffement sur un PDF de 2 pages)")
        medians = {}
        for label, runs in results.items():
            medians[label] = (statistics.median(t for t, _ in runs), statistics.median(m for _, m in runs))
            seconds, memory = medians[label]
            print(f"  {label:18} {seconds:7.2f} s   pic mémoire +{memory / MIB:6.1f} Mio")
        (bare_time, bare_memory), (service_time, service_memory) = medians.values()
        print(
            f"  rapport de temps {service_time / bare_time:.2f} × (objectif ≤ 1,5), "
            f"écart de mémoire {(service_memory - bare_memory) / MIB:+.1f} Mio (objectif ≤ +50)"
        )
        with application(_env(tmp)) as session:
            import sqlalchemy as sa

            tenant = session.scalars(sa.select(Tenant).where(Tenant.slug == "bench")).one()
            mayor = session.scalars(sa.select(Person).where(Person.email == "maire@banc.example")).one()
            batch(session, tenant, mayor, tmp)


def batch(session, tenant, mayor, tmp: Path) -> None:
    import pyotp
    from tests.documents.pdfs import clean_pdf
    from tests.signing.signed import FIELDS

    from saas.core.database import TenantContext, commit, set_context
    from saas.identity import authentication
    from saas.signing import operations, pades
    from saas.signing.models import SigningBatch
    from saas.storage.operations import store

    blobs = []
    for number in range(BATCH):
        folder = tmp / f"deliberation-{number}"
        folder.mkdir()
        source = clean_pdf(folder / "source.pdf", pages=2)
        source.write_bytes(source.read_bytes() + f"% délibération {number}\n".encode())
        pades.prepare_fields(source, folder / "prepared.pdf", FIELDS)
        with open(folder / "prepared.pdf", "rb") as handle:
            blobs.append(store(tenant.id, handle))
    secret = authentication.new_totp_secret()
    now = datetime.now(UTC).timestamp()
    authentication.enroll_totp(mayor, secret, pyotp.TOTP(secret).at(now - 30))
    commit(session)
    set_context(session, TenantContext(tenant_id=tenant.id))
    started = time.perf_counter()
    authorisation = operations.authorise_signing(tenant, mayor, pyotp.TOTP(secret).at(now), [b.sha256 for b in blobs])
    signing_batch = operations.request_batch(
        authorisation, mayor, tenant, [(b.id, "maire") for b in blobs], role="Maire"
    )
    commit(session)  # the job runs inline after the commit (embedded column)
    elapsed = time.perf_counter() - started
    set_context(session, TenantContext(tenant_id=tenant.id))
    done = session.get(SigningBatch, signing_batch.id)
    session.refresh(done)
    statuses = {str(item.status) for item in done.items}
    print(f"Lot de {BATCH} délibérations de 2 pages (B-T, un seul code) : {elapsed:.1f} s, "
          f"{elapsed / BATCH * 1000:.0f} ms par document, états {sorted(statuses)}")  # fmt: skip


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        child(sys.argv[2], Path(sys.argv[3]))
    else:
        main()
