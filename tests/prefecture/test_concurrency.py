"""Two requests of the secretariat prepare the same act's transmission at the same moment, each on a connection
of its own against the real database (SQLite, or PostgreSQL through the non-owner role with row-level
security): one transmission, one stored package, one audit event; both answers name it."""

import io
import threading
from datetime import UTC, date, datetime

import sqlalchemy as sa

from saas import ROOT
from saas.acts import operations as deliberations
from saas.audit.models import AuditEvent
from saas.core.database import TenantContext, commit, set_context
from saas.documents.operations import add_item_document
from saas.identity import operations as identity
from saas.identity.authentication import create_token
from saas.identity.models import GrantKind, MandateRole, Person
from saas.prefecture.models import Transmission
from saas.signing.book import operations as book
from saas.signing.book.models import RequestStatus, SignatureRequest
from saas.sittings import operations as sittings
from saas.sittings.models import SittingStatus
from saas.tenancy.models import Assembly, AssemblyKind, Tenant, TenantKind
from saas.workflow import definitions
from tests.fixtures.instances import fresh_app, system_session
from tests.fixtures.outcomes import outcome_for
from tests.fixtures.pdfs import deliberation_pdf
from tests.fixtures.signing import enrol, fresh_code

SITTING_DAY = datetime(2027, 3, 15, 17, 0, tzinfo=UTC)


def _people(session, tenant, council) -> dict:
    people = {}
    for key, role in (("mayor", MandateRole.PRESIDENT), ("secretary", MandateRole.MEMBER), ("staff", None)):
        people[key] = Person(email=f"{key}@course-actes.example.org", first_name=key.title(), last_name="Course")
        session.add(people[key])
        session.flush()
        if role is not None:
            request = identity.MandateRequest(
                email=people[key].email,
                first_name=people[key].first_name,
                last_name=people[key].last_name,
                assembly=council,
                role=role,
                start_date=date(2026, 1, 1),
            )
            identity.give_mandate(tenant, request, actor=None)
            enrol(people[key])
    identity.give_grant(people["staff"], tenant, GrantKind.SECRETARY, assembly=council, actor=None)
    return people


def _build(app) -> dict:
    """A signed deliberation of a City with its @ctes identity, committed."""
    with system_session(app) as session:
        tenant = Tenant(
            slug="ville-course-actes",
            name="Ville de la course aux actes",
            kind=TenantKind.COMMUNE,
            siren="212500565",
            population=119198,
            actes_departement="025",
            actes_arrondissement="1",
            actes_nature="31",
        )
        session.add(tenant)
        session.flush()
        council = Assembly(tenant_id=tenant.id, key="conseil", name="Conseil", kind=AssemblyKind.COUNCIL, seats=55)
        session.add(council)
        session.flush()
        people = _people(session, tenant, council)
        definitions.load_folder(ROOT / "workflows")
        definitions.adopt_template(tenant, "actes-a-signer", actor=None)
        sitting = sittings.create_sitting(tenant, council, starts_at=SITTING_DAY, place="Salle", actor=None)
        item = sittings.add_item(sitting, title="Équipement numérique", actor=None)
        pdf = deliberation_pdf(tenant.name, 44, "Équipement numérique", ["Adopté."])
        add_item_document(item, "report", "Délibération n° 44", io.BytesIO(pdf), "deliberation-44.pdf", None)
        sittings.set_status(sitting, SittingStatus.CONVENED, actor=None, at=datetime(2027, 2, 1, tzinfo=UTC))
        sitting.secretary_id = people["secretary"].id
        item.subject_code = "8.5"
        act = deliberations.generate_pdf(deliberations.create_deliberation(item, outcome_for(item.id)))
        commit(session)
        ids = {"tenant": tenant.id, "act": act.id, **{key: person.id for key, person in people.items()}}
        set_context(session, TenantContext(tenant_id=tenant.id, person_id=ids["staff"]))
        deliberations.start_signing(session.get(type(act), ids["act"]), session.get(Person, ids["staff"]))
        commit(session)
        for key in ("mayor", "secretary"):
            set_context(session, TenantContext(tenant_id=tenant.id, person_id=ids[key]))
            request = session.execute(
                sa.select(SignatureRequest).where(SignatureRequest.status != RequestStatus.SIGNED)
            ).scalar_one()
            person = session.get(Person, ids[key])
            book.sign(request, person, fresh_code(person))
            commit(session)
        set_context(session, TenantContext(tenant_id=tenant.id))
        assert deliberations.signed_completely(session.get(type(act), ids["act"]))
        staff = session.get(Person, ids["staff"])
        ids["tokens"] = [create_token(staff, f"course {n}")[1] for n in range(2)]
        ids["slug"] = tenant.slug
        commit(session)
        return ids


def test_two_preparations_at_the_same_moment_make_one_transmission(tmp_path):
    with fresh_app(tmp_path, "prefrace") as app:
        ids = _build(app)
        start, answers = threading.Barrier(2), []
        url = f"/api/v1/tenants/{ids['slug']}/deliberations/{ids['act']}/transmission"

        def prepare(token):
            start.wait(timeout=30)
            answer = app.test_client().post(url, headers={"Authorization": f"Bearer {token}"})
            answers.append((answer.status_code, answer.get_json()))

        threads = [threading.Thread(target=prepare, args=(token,)) for token in ids["tokens"]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert sorted(status for status, _ in answers) == [200, 201], answers
        assert len({body["id"] for _, body in answers}) == 1
        with system_session(app) as session:
            assert session.execute(sa.select(sa.func.count()).select_from(Transmission)).scalar_one() == 1
            events = session.execute(sa.select(AuditEvent).where(AuditEvent.action == "act.transmission_prepared"))
            assert len(events.scalars().all()) == 1
