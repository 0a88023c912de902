"""give_mandate: one Person per e-mail across collectivities, an invitation once, then notices."""

import sqlalchemy as sa

from saas.identity import authentication, operations
from saas.identity.models import Mandate, Person
from saas.mail.models import OutboundMail
from saas.tenancy.models import TenantKind


def request(email: str, assembly) -> operations.MandateRequest:
    return operations.MandateRequest(email=email, first_name="Léa", last_name="Jouffroy", assembly=assembly)


def test_existing_email_gets_the_mandate_on_the_same_person(session, create_tenant):
    city, agglomeration = create_tenant(), create_tenant(kind=TenantKind.EPCI)
    first = operations.give_mandate(city, request("lea.jouffroy@example.org", city.assemblies[0]), actor=None)
    second = operations.give_mandate(
        agglomeration, request("  Lea.Jouffroy@Example.ORG ", agglomeration.assemblies[0]), actor=None
    )
    assert second.person_id == first.person_id
    people = session.execute(sa.select(Person).where(Person.email == "lea.jouffroy@example.org")).scalars().all()
    assert len(people) == 1
    mandates = session.execute(sa.select(Mandate).where(Mandate.person_id == first.person_id)).scalars().all()
    assert {m.tenant_id for m in mandates} == {city.id, agglomeration.id}
    mails = (
        session.execute(
            sa.select(OutboundMail)
            .where(OutboundMail.to_address == "lea.jouffroy@example.org")
            .order_by(OutboundMail.id)
        )
        .scalars()
        .all()
    )
    assert [m.key for m in mails] == [f"invitation:mandate:{first.id}", f"mandate-notice:mandate:{second.id}"]
    assert "/password/set/" in mails[0].body_text and "/password/set/" not in mails[1].body_text


def test_invitation_link_sets_the_password_once(session, create_tenant):
    tenant = create_tenant()
    mandate = operations.give_mandate(tenant, request("new.member@example.org", tenant.assemblies[0]), actor=None)
    token = operations.set_password_token(mandate.person)
    assert operations.person_for_set_password_token(token) == mandate.person
    authentication.set_password(mandate.person, "a long enough password")
    assert operations.person_for_set_password_token(token) is None


def test_assembly_of_another_tenant_is_refused(session, create_tenant):
    city, other = create_tenant(), create_tenant()
    try:
        operations.give_mandate(city, request("x@example.org", other.assemblies[0]), actor=None)
    except ValueError:
        pass
    else:
        raise AssertionError("a mandate in another tenant's assembly was accepted")
    assert operations.person_by_email("x@example.org") is None
