"""Demo sittings: one upcoming sitting per collectivity with its reports and annexes, convened (PDFs, mails).

The founding report n° 44 (shared/seed/deliberation-44) was examined at the City's sitting already held
(saas.demo.held); the City's next sitting carries the reports that follow it, so that every demo member's inbox
is alive on first run.
"""

import io
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from saas.core.database import utcnow
from saas.core.extensions import db
from saas.core.printing import render_pdf
from saas.demo import circuits
from saas.documents.operations import add_document
from saas.identity.models import Mandate, MandateRole, Person
from saas.reports import operations as reports
from saas.reports.models import Report
from saas.sittings import operations as sittings
from saas.sittings.convocations.operations import send_convocations
from saas.sittings.models import Sitting
from saas.tenancy.legal_rules import tenant_rules
from saas.tenancy.models import Assembly, Tenant

#: days ahead: beyond the longest notice period (12 days for départements and régions)
DAYS_AHEAD = 21

REPORT_44 = [
    "Dans le cadre du prochain mandat, il est envisagé de doter les élus d'équipements de communication "
    "numérique leur permettant de recevoir les dossiers, de les annoter, de les conserver sous un format "
    "sécurisé et très rapidement de procéder à des validations en ligne ainsi qu'à la signature électronique.",
    "Ceci s'inscrit dans la modernisation du fonctionnement de notre collectivité et contribue à réduire le "
    "volume de papier consommé (les dossiers du Conseil Municipal et rapports à la Municipalité seraient "
    "envoyés en format numérique).",
    "Afin de réduire les coûts, de faciliter les pratiques, il est envisagé de réaliser une opération commune "
    "avec la Région de Franche-Comté, le Département du Doubs et la Communauté d'Agglomération. Le montage "
    "serait fait sous la forme d'un groupement de commandes (coordination par la Région de Franche-Comté).",
    "Le Conseil Municipal est invité à se prononcer sur ce projet, à autoriser la constitution d'un groupement "
    "de commandes et à autoriser M. le Maire à signer la convention constitutive de ce groupement.",
]

#: per tenant slug: (assembly key, place, items as (title, @ctes code, paragraphs)); each item's committee opinion
#: is quoted from its circuit (saas.workflow.reports.opinions)
PROGRAMME = {
    "besancon": (
        "conseil-municipal",
        "Hôtel de Ville, salle du Conseil",
        [
            ("Budget supplémentaire 2027", "7.1", None),
        ],
    ),
    "grand-besancon": (
        "conseil-communautaire",
        "Siège de la Communauté d'Agglomération",
        [
            ("Adhésion au groupement de commandes pour l'équipement numérique des élus", "1.1", None),
            ("Rapport d'activité des services communautaires", "5.7", None),
        ],
    ),
    "region-franche-comte": (
        "conseil-regional",
        "Hôtel de Région, hémicycle",
        [
            ("Coordination du groupement de commandes : convention constitutive", "1.1", None),
            ("Schéma régional de développement économique", "8.4", None),
        ],
    ),
    "doubs": (
        "conseil-departemental",
        "Hôtel du Département",
        [
            ("Participation au groupement de commandes pour l'équipement numérique", "1.1", None),
            ("Plan départemental de l'habitat", "8.5", None),
        ],
    ),
}


def _rapporteur(assembly: Assembly) -> Person | None:
    """A current member of the assembly: M. Dumont where he sits (the rapporteur of report n° 44)."""
    members = (
        db.session.execute(
            sa.select(Person)
            .join(Mandate, Mandate.person_id == Person.id)
            .where(Mandate.assembly_id == assembly.id, Mandate.role == MandateRole.MEMBER)
            .order_by(Person.last_name)
        )
        .scalars()
        .all()
    )
    return next((p for p in members if p.last_name == "Dumont"), members[0] if members else None)


def _pdf(tenant: Tenant, kind: str, number: int, title: str, rapporteur: Person | None, paragraphs) -> io.BytesIO:
    paragraphs = paragraphs or [f"Projet de délibération : {title}.", "Le conseil est invité à en délibérer."]
    return io.BytesIO(
        render_pdf(
            "report.html",
            collectivity=tenant.name,
            kind=kind,
            number=number,
            rapporteur=rapporteur.full_name if rapporteur else None,
            title=title,
            paragraphs=paragraphs,
        )
    )


def _documents(tenant: Tenant, number: int, title: str, rapporteur: Person | None, paragraphs):
    """``documents(report, n)``: the report's documents, as a drafter gives them (n = 2: a later annex)."""

    def give(report: Report, n: int = 1) -> None:
        if n > 1:
            plan = _pdf(tenant, "Annexe", number, f"Plan d'implantation — {title}", None, None)
            add_document(report, "annex", "Plan d'implantation", plan, f"plan-{number}.pdf", report.drafter)
            return
        text = _pdf(tenant, "Rapport", number, title, rapporteur, paragraphs)
        add_document(report, "report", f"Rapport n° {number}", text, f"rapport-{number}.pdf", report.drafter)
        if tenant_rules(tenant).summary_note_required:
            note = _pdf(tenant, "Note explicative de synthèse", number, title, None, None)
            add_document(
                report, "summary_note", "Note explicative de synthèse", note, f"note-{number}.pdf", report.drafter
            )
        annex = _pdf(tenant, "Annexe", number, f"Annexe — {title}", None, None)
        add_document(report, "annex", "Annexe financière", annex, f"annexe-{number}.pdf", report.drafter)

    return give


def seed_sittings(tenants: dict[str, Tenant]) -> None:
    """Create and convene the demo sittings once (an assembly that already has one to come is left alone): each
    item's report is drafted, goes through its collectivity's circuit (saas.demo.circuits), then is placed on
    the agenda; further reports stay in their circuits, aimed at the same sitting."""
    for slug, (key, place, items) in PROGRAMME.items():
        tenant = tenants[slug]
        assembly = db.session.execute(
            sa.select(Assembly).where(Assembly.tenant_id == tenant.id, Assembly.key == key)
        ).scalar_one()
        upcoming = sa.select(Sitting.id).where(Sitting.assembly_id == assembly.id, Sitting.starts_at > utcnow())
        if db.session.execute(upcoming).first():
            continue
        service, drafter = circuits.seed_circuit(tenant)
        day = (utcnow() + timedelta(days=DAYS_AHEAD)).astimezone(ZoneInfo(tenant.timezone)).date()
        starts_at = datetime.combine(day, time(18, 0), ZoneInfo(tenant.timezone))
        sitting = sittings.create_sitting(tenant, assembly, starts_at=starts_at, place=place, actor=None)
        rapporteur = _rapporteur(assembly)
        for number, (title, code, paragraphs) in enumerate(items, start=45 if slug == "besancon" else 1):
            fields = reports.ReportFields(
                title=title, subject_code=code, assembly=assembly, sitting=sitting, rapporteur=rapporteur
            )
            report = reports.create_report(drafter, service, fields)
            _documents(tenant, number, title, rapporteur, paragraphs)(report)
            circuits.submit_and_complete(report, drafter)
            reports.place_on_agenda(report, sitting, actor=None)
        first_running = 45 + len(items) if slug == "besancon" else len(items) + 1

        def documents_for(title: str, index: int, first=first_running, tenant=tenant):
            return _documents(tenant, first + index, title, None, None)

        circuits.seed_running(tenant, service, drafter, assembly, sitting, documents_for)
        send_convocations(sitting, None)
