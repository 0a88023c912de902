"""A report's whole validation circuit in real headless Chromium (issue 12, item 9): the City's admin builds a
circuit in the form editor (two named validators, all of them, then the opinion of Commission n° 1 recorded
by its secretary); a drafter writes a report, uploads its document and submits it; the two validators, each in
a browser of their own, logged in at the same time, act on it — one approves, the other refuses; the drafter
uploads a new version of the document and submits version 2; both approve; the committee's secretary records
the opinion; the report is ready and the council's secretariat places it on the agenda of a sitting, which
shows the opinion as the deliberation quotes it.

Only the collectivity, its assemblies, people, mandates, grants, a service and a draft sitting are made in
Python; everything the users do goes through the pages. The application runs in a real HTTP server thread on
an installation of its own (in the production column: PostgreSQL through the non-owner role, Redis, files in
SeaweedFS's S3, mail to the loopback SMTP server), so the data is committed for real; every e-mail and slug is
unique to this run. At the end the database is read: the two runs, their tasks, the report's version and
status, the audit events and the chain they are written in.
"""

import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from saas.audit.models import AuditEvent, chain_key
from saas.audit.operations import verify_chain
from saas.core.database import SYSTEM, TenantContext, commit, context
from saas.core.extensions import db
from saas.documents.models import Document
from saas.identity import authentication
from saas.identity import operations as identity
from saas.identity.models import GrantKind, MandateRole, Person
from saas.reports import operations as reports
from saas.reports.models import Report, ReportStatus
from saas.sittings import operations as sittings
from saas.sittings.models import AgendaItem
from saas.storage.backends import LocalBackend, S3Backend, backend
from saas.storage.models import Blob
from saas.tenancy.models import Assembly, AssemblyKind, Tenant, TenantKind
from saas.workflow.models import RunState, Task, TaskAction, TaskState, WorkflowRun
from tests.fixtures.browser import log_in
from tests.fixtures.instances import fresh_app, production
from tests.fixtures.pdfs import dossier
from tests.fixtures.people import PASSWORD
from tests.fixtures.signing import enrol

TITLE = "Équipement numérique – Dématérialisation des actes"
CIRCUIT = "Visa des directions et avis de la Commission n° 1"
VISA = "Visa de la direction générale et des finances"
OPINION_STEP = "Avis de la Commission n° 1"
REFUSAL = "Joindre le plan de financement pluriannuel."
DOCUMENT = "Rapport de présentation"


@pytest.fixture(scope="module")
def app(tmp_path_factory, smtp_server, seaweedfs):
    """An installation of its own; in the production column its files go to a bucket of SeaweedFS."""
    with fresh_app(tmp_path_factory.mktemp("circuit"), "circuit", smtp_server.port) as application:
        if seaweedfs:
            endpoint, access_key, secret_key = seaweedfs
            application.config.update(
                STORAGE_URL=f"s3://quorum-circuit-{uuid.uuid4().hex[:8]}",
                S3_ENDPOINT=endpoint,
                S3_ACCESS_KEY=access_key,
                S3_SECRET_KEY=secret_key,
                S3_SECURE=False,
            )
        yield application


def _person(run: str, first: str, last: str) -> Person:
    """An account with the test password and second factor (every one of them logs in with both)."""
    person = Person(email=f"{first.lower()}.{last.lower()}-{run}@example.org", first_name=first, last_name=last)
    person.password_hash = authentication.password_hasher.hash(PASSWORD)
    db.session.add(person)
    db.session.flush()
    return enrol(person)


def _mandate(tenant: Tenant, person: Person, assembly: Assembly, role: MandateRole) -> None:
    request = identity.MandateRequest(
        email=person.email, first_name=person.first_name, last_name=person.last_name, assembly=assembly,
        role=role, start_date=date(2026, 1, 1),
    )  # fmt: skip
    identity.give_mandate(tenant, request, actor=None)


def _city(app) -> dict:
    """The City, its council and Commission n° 1, its admin, a drafter of the Direction du numérique, the two
    validators (the DGS, a staff member of the council, and the deputy for finance, a council member), the
    secretary of the commission, the secretary of the council and a draft sitting of the council; no circuit."""
    run = uuid.uuid4().hex[:8]
    with app.app_context(), context(db.session, SYSTEM):
        city = Tenant(
            slug=f"ville-{run}", name=f"Ville de Besançon {run}", kind=TenantKind.COMMUNE, siren=f"2{run}"[:9],
            population=120_000,
        )  # fmt: skip
        db.session.add(city)
        db.session.flush()
        council = Assembly(tenant_id=city.id, key="conseil", name="Conseil municipal", kind=AssemblyKind.COUNCIL)
        commission = Assembly(
            tenant_id=city.id, key="commission-1", name="Commission n° 1", kind=AssemblyKind.COMMITTEE
        )
        db.session.add_all([council, commission])
        db.session.flush()
        people = {
            "admin": _person(run, "Claire", "Admin"),
            "drafter": _person(run, "Julie", "Moreau"),
            "a": _person(run, "Marc", "Dubois"),
            "b": _person(run, "Sabine", "Girardot"),
            "committee_secretary": _person(run, "Luc", "Perrin"),
            "council_secretary": _person(run, "Nadia", "Benali"),
        }
        identity.give_grant(people["admin"], city, GrantKind.TENANT_ADMIN, assembly=None, actor=None)
        _mandate(city, people["a"], council, MandateRole.STAFF)
        _mandate(city, people["b"], council, MandateRole.MEMBER)
        identity.give_grant(people["committee_secretary"], city, GrantKind.SECRETARY, assembly=commission, actor=None)
        identity.give_grant(people["council_secretary"], city, GrantKind.SECRETARY, assembly=council, actor=None)
        service = reports.create_service(city, "Direction du numérique", head=None, actor=None)
        reports.give_drafter_grant(people["drafter"], service, actor=None)
        commit(db.session)
        data = {
            "slug": city.slug,
            "tenant_id": city.id,
            "council_id": council.id,
            **{key: person.email for key, person in people.items()},
            "names": {key: person.full_name for key, person in people.items()},
        }
    with app.app_context(), context(db.session, TenantContext(tenant_id=data["tenant_id"])):
        starts_at = datetime.now(UTC).replace(hour=17, minute=0, second=0, microsecond=0) + timedelta(days=60)
        sitting = sittings.create_sitting(
            db.session.get(Tenant, data["tenant_id"]),
            db.session.get(Assembly, data["council_id"]),
            starts_at=starts_at,
            place="Salle du conseil",
            actor=None,
        )
        commit(db.session)
        data["sitting_id"] = sitting.id
    return data


def _flash(page):
    return page.locator(".flash--success")


def _open_the_task(page):
    """From anywhere: « À traiter » in the navigation, then the report's one task."""
    from playwright.sync_api import expect

    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="À traiter").click()
    expect(page.locator("h1")).to_have_text("À traiter")
    tasks = page.locator("[data-task]")
    expect(tasks).to_have_count(1)
    tasks.get_by_role("link", name=TITLE).click()
    expect(page.locator("h1")).to_have_text(TITLE)


def _build_the_circuit(page, base: str, data: dict) -> None:
    """The admin creates the circuit for the council's reports and sets its steps in the form editor."""
    from playwright.sync_api import expect

    names = data["names"]
    page.goto(f"{base}/t/{data['slug']}/admin/")
    page.get_by_role("navigation", name="Sections de l’administration").get_by_role("link", name="Circuits").click()
    expect(page.locator("h1")).to_have_text("Circuits de validation")
    page.get_by_role("link", name="Nouveau circuit").click()
    page.fill("#key", "directions-commission")
    page.fill("#name", CIRCUIT)
    page.select_option("#applies_to", "reports")
    page.select_option("#assembly_kind", label="Conseil")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(_flash(page)).to_contain_text(f"Circuit « {CIRCUIT} » créé")
    expect(page.locator("h1")).to_have_attribute("data-version", "1")

    # step 2: the DGS and the deputy for finance, both, in parallel; a refusal goes back to the drafter
    page.get_by_role("link", name="Ajouter une étape").click()
    page.fill("#name", VISA)
    page.fill("#key", "visa-directions")
    page.select_option("#kind", "approval")
    page.select_option("#who_kind", "persons")
    page.get_by_role("checkbox", name=re.compile(re.escape(data["a"]))).check()
    page.get_by_role("checkbox", name=re.compile(re.escape(data["b"]))).check()
    page.select_option("#mode", "all")
    page.select_option("#on_refusal", "drafter")
    page.get_by_role("button", name="Enregistrer l'étape").click()
    expect(_flash(page)).to_contain_text("Étape ajoutée : version 2 enregistrée.")

    # step 3: the opinion of Commission n° 1, recorded by the holder of its secretariat
    page.get_by_role("link", name="Ajouter une étape").click()
    page.fill("#name", OPINION_STEP)
    page.fill("#key", "avis-commission")
    page.select_option("#kind", "committee_opinion")
    page.select_option("#who_kind", "grant")
    page.select_option("#who_grant", "secretary")
    page.select_option("#who_assembly", label="Commission n° 1")
    page.select_option("#mode", "one")
    page.get_by_role("button", name="Enregistrer l'étape").click()
    expect(_flash(page)).to_contain_text("Étape ajoutée : version 3 enregistrée.")

    # the new circuit's first step, the service head's visa, is not wanted here
    page.locator('[data-step="visa-chef-service"]').get_by_role("button", name="Supprimer").click()
    expect(_flash(page)).to_contain_text("Étape supprimée : version 4 enregistrée.")
    expect(page.locator("h1")).to_have_attribute("data-version", "4")

    steps = page.locator("[data-step]")
    expect(steps).to_have_count(2)
    expect(steps.nth(0)).to_have_attribute("data-step", "visa-directions")
    expect(steps.nth(1)).to_have_attribute("data-step", "avis-commission")
    diagram = page.locator("svg.diagram")
    expect(diagram.locator("g.diagram__node")).to_have_count(4)  # submission, the two steps, ready
    expect(diagram.locator("path.diagram__refusal")).to_have_count(1)  # an opinion is advisory: no refusal
    visa, opinion = diagram.locator('g[data-node="1"]'), diagram.locator('g[data-node="2"]')
    expect(visa).to_contain_text(f"1. {VISA}")
    expect(visa).to_contain_text("Visa — tous, en parallèle")
    expect(visa).to_contain_text(f"Qui : {names['a']}, {names['b']}")
    expect(opinion).to_contain_text(f"2. {OPINION_STEP}")
    expect(opinion).to_contain_text("Avis de commission — l'un d'eux")
    expect(opinion).to_contain_text("Qui : les titulaires du droit « Secrétariat » pour")  # the line wraps here
    expect(diagram.locator('g[data-node="3"]')).to_have_text("Rapport validé, prêt pour l'ordre du jour")
    expect(diagram.locator("desc")).to_have_text(
        f"Étape 1, {VISA} : Visa, {names['a']}, {names['b']}, tous, en parallèle, sans délai fixé ; en cas de"
        f" refus, retour au rédacteur, pour une nouvelle version. Étape 2, {OPINION_STEP} : Avis de commission,"
        " les titulaires du droit « Secrétariat » pour « Commission n° 1 », l'un d'eux, sans délai fixé."
    )


def _write_and_submit(page, base: str, data: dict) -> int:
    """The drafter writes the report, uploads its document and submits it; returns the report's id."""
    from playwright.sync_api import expect

    page.goto(f"{base}/t/{data['slug']}/rapports")
    expect(page.locator("h1")).to_have_text("Rapports")
    page.get_by_role("link", name="Nouveau rapport").click()
    expect(page.locator("#service")).to_have_value(re.compile(r"\d+"))  # the one service she drafts for
    page.fill("#title", TITLE)
    page.fill("#subject_code", "8.5")
    page.select_option("#rapporteur", label=data["names"]["b"])
    page.select_option("#assembly", label="Conseil municipal")
    page.select_option("#sitting", str(data["sitting_id"]))
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(_flash(page)).to_contain_text("créé : joignez ses documents")
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator(".lead")).to_contain_text("Brouillon")
    report_id = int(page.locator("h1").get_attribute("data-report"))

    page.get_by_role("link", name="Joindre ou remplacer des documents").click()
    page.select_option("#kind", "report")
    page.fill("#title", DOCUMENT)
    page.set_input_files("#file", files=[{"name": "rapport.pdf", "mimeType": "application/pdf", "buffer": dossier()}])
    page.get_by_role("button", name="Déposer").click()
    expect(_flash(page)).to_contain_text(f"Document « {DOCUMENT} » ajouté au rapport.")
    expect(page.locator("[data-document]")).to_contain_text("version 1")

    page.goto(f"{base}/t/{data['slug']}/rapports/{report_id}")
    page.get_by_role("button", name="Soumettre au circuit").click()
    names = data["names"]
    expect(_flash(page)).to_contain_text(
        f"Rapport soumis au circuit « {CIRCUIT} » (version 1) : l'étape « {VISA} » attend {names['a']}, {names['b']}."
    )
    expect(page.locator(".lead")).to_contain_text("En cours de validation")
    expect(page.locator('[data-step="visa-directions"]')).to_have_attribute("data-state", "current")
    return report_id


def _resubmit(page, base: str, data: dict, report_id: int) -> None:
    """The drafter reads the refusal, uploads version 2 of the document and submits the report again."""
    from playwright.sync_api import expect

    page.reload()
    expect(page.locator(".lead")).to_contain_text("Refusé, à reprendre")
    expect(page.locator('[data-step="visa-directions"]')).to_have_attribute("data-state", "refused")
    refusal = page.locator('li[data-action="refuse"]')
    expect(refusal).to_contain_text(data["names"]["b"])
    expect(refusal.locator("blockquote")).to_have_text(REFUSAL)

    page.get_by_role("link", name="Joindre ou remplacer des documents").click()
    page.get_by_role("link", name="Versions et remplacement").click()
    expect(page.locator("h1")).to_have_text(DOCUMENT)
    version_2 = dossier(blank_pages_before=1)
    page.set_input_files(
        "#file", files=[{"name": "rapport-v2.pdf", "mimeType": "application/pdf", "buffer": version_2}]
    )
    page.fill("#note", "Plan de financement pluriannuel joint.")
    page.get_by_role("button", name="Déposer la nouvelle version").click()
    expect(_flash(page)).to_contain_text(f"Version 2 de « {DOCUMENT} » déposée.")
    expect(page.locator('[data-version="2"]')).to_contain_text("en vigueur")

    page.goto(f"{base}/t/{data['slug']}/rapports/{report_id}")
    page.get_by_role("button", name="Soumettre à nouveau au circuit (version 2)").click()
    expect(_flash(page)).to_contain_text(f"Rapport soumis au circuit « {CIRCUIT} » (version 2)")
    expect(page.locator(".lead")).to_contain_text("version 2")
    expect(page.locator(".lead")).to_contain_text("En cours de validation")


def _approve(page, comment: str, then: str) -> None:
    from playwright.sync_api import expect

    _open_the_task(page)
    form = page.locator('form[data-action="approve"]')
    form.locator("#approve-comment").fill(comment)
    form.get_by_role("button", name="Valider", exact=True).click()
    expect(_flash(page)).to_have_text(f"Visa enregistré. {then}")
    expect(page.locator("[data-empty-inbox]")).to_be_visible()


@pytest.mark.browser
def test_a_report_goes_through_the_circuit_built_in_the_editor_to_the_agenda(app, live_server, chromium):
    from playwright.sync_api import expect

    data = _city(app)
    names, base = data["names"], live_server

    admin = log_in(chromium, base, data["admin"], height=900)
    _build_the_circuit(admin, base, data)

    drafter = log_in(chromium, base, data["drafter"], height=900)
    report_id = _write_and_submit(drafter, base, data)

    # the two validators, each in their own browser, logged in at the same time, open the same report
    validator_a = log_in(chromium, base, data["a"], height=900)
    validator_b = log_in(chromium, base, data["b"], height=900)
    for page in (validator_a, validator_b):
        _open_the_task(page)
        expect(page.locator(".lead")).to_contain_text(VISA)
        expect(page.locator("[data-document]")).to_contain_text(DOCUMENT)
        expect(page.locator('form[data-action="refuse"]')).to_contain_text("Le rapport retourne à son rédacteur.")

    form = validator_a.locator('form[data-action="approve"]')
    form.locator("#approve-comment").fill("Vu pour la direction générale.")
    form.get_by_role("button", name="Valider", exact=True).click()
    expect(_flash(validator_a)).to_have_text("Visa enregistré. L'étape attend encore les autres personnes sollicitées.")
    validator_b.reload()  # her page was open before: it now shows his visa
    expect(validator_b.locator("[data-history]")).to_contain_text(f"Validé · {names['a']}")
    form = validator_b.locator('form[data-action="refuse"]')
    form.locator("#refuse-reason").fill(REFUSAL)
    form.get_by_role("button", name="Refuser").click()
    expect(_flash(validator_b)).to_have_text(
        "Refus enregistré. Le rapport retourne à son rédacteur, pour une nouvelle version."
    )
    expect(validator_b.locator("[data-empty-inbox]")).to_be_visible()

    _resubmit(drafter, base, data, report_id)

    # version 2: both approve, again from their own browsers (the deputy first this time)
    _approve(
        validator_b, "Le plan de financement est joint.", "L'étape attend encore les autres personnes sollicitées."
    )
    _approve(validator_a, "Vu.", f"Le rapport passe à l'étape « {OPINION_STEP} ».")

    # the committee met: its secretary records its opinion
    secretary = log_in(chromium, base, data["committee_secretary"], height=900)
    _open_the_task(secretary)
    expect(secretary.locator(".lead")).to_contain_text(OPINION_STEP)
    expect(secretary.locator("[data-document]")).to_contain_text("version 2")
    opinion = secretary.locator('form[data-action="give_opinion"]')
    opinion.get_by_role("radio", name="Favorable", exact=True).check()
    opinion.get_by_label("À l'unanimité").check()
    opinion.locator("#opinion-comment").fill("La commission a examiné le rapport le 12.")
    opinion.get_by_role("button", name="Rendre l'avis").click()
    expect(_flash(secretary)).to_have_text("Avis enregistré. Le circuit est terminé : le rapport est validé.")

    drafter.reload()
    expect(drafter.locator(".lead")).to_contain_text("Validé")
    expect(drafter.locator(".lead")).to_contain_text("version 2")
    expect(drafter.locator("[data-quote]")).to_have_text("« sur avis favorable unanime de la Commission n° 1 »")
    for key in ("visa-directions", "avis-commission"):
        expect(drafter.locator(f'tr[data-step="{key}"]')).to_have_attribute("data-state", "done")
    expect(drafter.get_by_role("button", name=re.compile("Soumettre"))).to_have_count(0)

    # the council's secretariat places the ready report on the agenda of its sitting
    clerk = log_in(chromium, base, data["council_secretary"], height=900)
    clerk.goto(f"{base}/t/{data['slug']}/a/{data['council_id']}/sittings")
    expect(clerk.locator("h1")).to_have_text("Séances — Conseil municipal")
    clerk.locator("table").get_by_role("link").first.click()
    expect(clerk.locator("h1")).to_have_attribute("data-sitting", str(data["sitting_id"]))
    expect(clerk.locator("#odj")).to_be_visible()
    place = clerk.locator("form[data-place-report]")
    place.locator("#report").select_option(label=f"{TITLE} (Conseil municipal)")
    place.get_by_role("button", name="Inscrire à l'ordre du jour").click()
    expect(_flash(clerk)).to_have_text("Rapport inscrit au point 1 de l'ordre du jour.")
    item = clerk.locator("[data-item]")
    expect(item).to_have_count(1)
    expect(item).to_contain_text(f"1. {TITLE}")
    expect(item).to_contain_text("Matière 8.5")
    expect(item).to_contain_text(f"Rapporteur : {names['b']}")
    expect(item).to_contain_text("Avis favorable unanime de la Commission n° 1")
    expect(item.locator("[data-document]")).to_contain_text(f"{DOCUMENT}")
    expect(item.locator("[data-document]")).to_contain_text("version 2")
    expect(clerk.locator("form[data-place-report]")).to_have_count(0)  # nothing else is ready

    _check_the_database(app, data, report_id)


def _check_the_database(app, data: dict, report_id: int) -> None:
    with app.app_context(), context(db.session, SYSTEM):
        people = {
            key: db.session.execute(sa.select(Person).where(Person.email == data[key])).scalar_one().id
            for key in ("admin", "drafter", "a", "b", "committee_secretary", "council_secretary")
        }
        report = db.session.get(Report, report_id)
        assert report.status == ReportStatus.READY
        assert report.version == 2
        assert report.drafter_id == people["drafter"]

        runs = list(
            db.session.execute(
                sa.select(WorkflowRun).where(WorkflowRun.report_id == report_id).order_by(WorkflowRun.id)
            ).scalars()
        )
        assert [(run.state, run.report_version) for run in runs] == [(RunState.REFUSED, 1), (RunState.COMPLETED, 2)]
        assert all(run.version.number == 4 and run.started_by_id == people["drafter"] for run in runs)
        assert all(run.finished_at is not None for run in runs)

        def tasks(run):
            rows = db.session.execute(sa.select(Task).where(Task.run_id == run.id).order_by(Task.id)).scalars()
            return [(task.step_key, task.person_id, task.state) for task in rows]

        assert tasks(runs[0]) == [
            ("visa-directions", people["a"], TaskState.APPROVED),
            ("visa-directions", people["b"], TaskState.REFUSED),
        ]
        assert tasks(runs[1]) == [
            ("visa-directions", people["a"], TaskState.APPROVED),
            ("visa-directions", people["b"], TaskState.APPROVED),
            ("avis-commission", people["committee_secretary"], TaskState.APPROVED),
        ]
        opinion = db.session.execute(
            sa.select(TaskAction).where(TaskAction.run_id == runs[1].id, TaskAction.kind == "give_opinion")
        ).scalar_one()
        assert opinion.actor_id == people["committee_secretary"]
        assert opinion.data == {"opinion": "favourable", "unanimous": True}
        refusal = db.session.execute(
            sa.select(TaskAction).where(TaskAction.run_id == runs[0].id, TaskAction.kind == "refuse")
        ).scalar_one()
        assert (refusal.actor_id, refusal.comment) == (people["b"], REFUSAL)
        # the refusal was given on version 1 of the document, the opinion on version 2
        document = db.session.execute(sa.select(Document).where(Document.report_id == report_id)).scalar_one()
        versions = {version.number: version for version in document.versions}
        assert sorted(versions) == [1, 2] and versions[1].sha256 != versions[2].sha256
        store = backend()  # the column's: SeaweedFS's S3 in production, instance/files in the embedded one
        assert isinstance(store, S3Backend if production() else LocalBackend)
        assert all(store.exists(db.session.get(Blob, version.blob_id).object_key) for version in versions.values())
        seen = {
            action.kind: [(entry["id"], entry["sha256"]) for entry in action.documents] for action in [refusal, opinion]
        }
        assert seen == {
            "refuse": [(versions[1].id, versions[1].sha256)],
            "give_opinion": [(versions[2].id, versions[2].sha256)],
        }

        item = db.session.execute(sa.select(AgendaItem).where(AgendaItem.report_id == report_id)).scalar_one()
        assert item.sitting_id == data["sitting_id"] and item.position == 1
        assert item.committee_opinion == "Avis favorable unanime de la Commission n° 1"

        events = db.session.execute(
            sa.select(AuditEvent.action, AuditEvent.actor_id)
            .where(AuditEvent.tenant_id == data["tenant_id"])
            .order_by(AuditEvent.seq)
        ).all()
        workflow = [(action, actor) for action, actor in events if action.startswith(("workflow.", "report."))]
        assert workflow == [
            ("workflow.created", people["admin"]),
            ("workflow.revised", people["admin"]),
            ("workflow.revised", people["admin"]),
            ("workflow.revised", people["admin"]),
            ("report.created", people["drafter"]),
            ("workflow.submitted", people["drafter"]),
            ("workflow.approved", people["a"]),
            ("workflow.refused", people["b"]),
            ("workflow.submitted", people["drafter"]),
            ("workflow.approved", people["b"]),
            ("workflow.approved", people["a"]),
            ("workflow.opinion_given", people["committee_secretary"]),
            ("report.placed_on_agenda", people["council_secretary"]),
        ], workflow
        documents = [(action, actor) for action, actor in events if action.startswith("document.")]
        assert documents == [("document.added", people["drafter"]), ("document.replaced", people["drafter"])]
        assert verify_chain(chain_key(data["tenant_id"])).intact
