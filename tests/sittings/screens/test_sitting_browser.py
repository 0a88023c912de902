"""A sitting held in real headless Chromium (issue 13, item 12): the secretariat runs a sitting of two items from
its screen while three members vote from three browser contexts of their own, one of them holding a colleague's
proxy and so voting twice (for themself, then for the giver); each ballot appears on the secretariat's screen
without reloading it (the live route it polls), the members' tablets follow the sitting by themselves (an item
taken up, a vote opened or closed), and the results appear on every screen. Then the deliberations the two
results made appear on the sitting's deliberations page with their numbers and outcomes; the secretariat puts the
adopted one to signature from its page, the president then the sitting's secretary sign it in their own browsers
(the signature book's form, with a fresh second-factor code), and the PDF the act's page serves passes poppler's
``pdfsig`` with two valid signatures and reads the vote's formula.

As in tests/browser/, the application runs in a real HTTP server thread with an installation of its own, so the
data is committed for real (every e-mail and slug is unique to this run). The sitting is held today, as the law
wants (opening only on the sitting's day). Screenshots of every page, 1280×800 and 800×1280 full page, go to
/tmp/quorum-screens/ for review.
"""

import io
import time
import unicodedata
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest

from saas.core.database import SYSTEM, TenantContext, commit, context, utcnow
from saas.core.extensions import db
from saas.documents import operations as documents
from saas.identity import authentication
from saas.identity import operations as identity
from saas.identity.models import GrantKind, MandateRole, Person
from saas.sittings import operations as sittings
from saas.sittings.attendance import operations as attendance
from saas.sittings.models import AttendanceAnswer, SittingStatus
from saas.tenancy.models import Assembly, AssemblyKind, Tenant, TenantKind
from saas.workflow import definitions
from tests.fixtures.browser import log_in
from tests.fixtures.instances import fresh_app, production, run_worker
from tests.fixtures.pdfs import dossier
from tests.fixtures.people import PASSWORD
from tests.fixtures.signing import enrol, fresh_code
from tests.fixtures.verifiers import pdf_text, pdfsig
from tests.fixtures.workflow import SHIPPED

SHOTS = Path("/tmp/quorum-screens")
ITEMS = ("Équipement numérique des élus – Dématérialisation", "Tarifs de la médiathèque 2027")


@pytest.fixture(scope="module")
def app(tmp_path_factory, smtp_server):
    with fresh_app(tmp_path_factory.mktemp("screens"), "screens", smtp_server.port) as application:
        yield application


def _person(run: str, first: str, last: str) -> Person:
    # ASCII addresses: an accented local part (hélène.…) makes the signer's certificate fail (saas/trust/pki.py,
    # RFC822Name wants ASCII), reported on issue 13
    local = unicodedata.normalize("NFKD", f"{first}.{last}".lower()).encode("ascii", "ignore").decode()
    person = Person(email=f"{local}-{run}@example.org", first_name=first, last_name=last)
    person.password_hash = authentication.password_hasher.hash(PASSWORD)
    db.session.add(person)
    db.session.flush()
    return enrol(person)


def _council(app) -> dict:
    """A commune, its council (a president and four members), its secretariat, and a sitting convened for today
    with two items, the first with its report; the members answered (one gave a proxy, the president is away)."""
    run = uuid.uuid4().hex[:8]
    with app.app_context(), context(db.session, SYSTEM):
        city = Tenant(slug=f"ville-{run}", name=f"Ville d'Ornans {run}", kind=TenantKind.COMMUNE,
                      siren=f"3{run}"[:9], population=4200)  # fmt: skip
        db.session.add(city)
        db.session.flush()
        council = Assembly(tenant_id=city.id, key="conseil", name="Conseil municipal", kind=AssemblyKind.COUNCIL)
        db.session.add(council)
        db.session.flush()
        people = {
            "president": _person(run, "Hélène", "Marchand"),
            "a": _person(run, "Julien", "Garnier"),
            "b": _person(run, "Sophie", "Lambert"),
            "c": _person(run, "Marc", "Dubois"),
            "d": _person(run, "Nadia", "Benali"),
            "secretariat": _person(run, "Karine", "Prost"),
        }
        for key in ("president", "a", "b", "c", "d"):
            role = MandateRole.PRESIDENT if key == "president" else MandateRole.MEMBER
            request = identity.MandateRequest(
                email=people[key].email, first_name=people[key].first_name, last_name=people[key].last_name,
                assembly=council, role=role, start_date=date(2026, 1, 1),
            )  # fmt: skip
            identity.give_mandate(city, request, actor=None)
        identity.give_grant(people["secretariat"], city, GrantKind.SECRETARY, assembly=council, actor=None)
        definitions.load_folder(SHIPPED)
        definitions.adopt_template(city, "actes-a-signer", actor=None)  # the circuit for acts: president, secretary
        commit(db.session)
        data = {"slug": city.slug, "tenant_id": city.id, "council_id": council.id}
        data |= {key: person.email for key, person in people.items()}
        data["names"] = {key: person.full_name for key, person in people.items()}
        ids = {key: person.id for key, person in people.items()}
    with app.app_context(), context(db.session, TenantContext(tenant_id=data["tenant_id"])):
        city, council = db.session.get(Tenant, data["tenant_id"]), db.session.get(Assembly, data["council_id"])
        sitting = sittings.create_sitting(
            city, council, starts_at=utcnow() + timedelta(minutes=2), place="Salle du conseil", actor=None
        )
        first = sittings.add_item(sitting, title=ITEMS[0], subject_code="9.1", actor=None,
                                  committee_opinion="Avis favorable unanime de la Commission n° 1")  # fmt: skip
        sittings.add_item(sitting, title=ITEMS[1], subject_code="7.1", actor=None)
        documents.add_item_document(first, "report", "Rapport de présentation", io.BytesIO(dossier()), "r.pdf", None)
        sitting.status = SittingStatus.CONVENED  # as if convened in time: the notice is not what this test is about
        db.session.flush()
        person = {key: db.session.get(Person, value) for key, value in ids.items()}
        for key in ("a", "b", "c"):
            attendance.answer_attendance(person[key], sitting, AttendanceAnswer.PRESENT)
        attendance.answer_attendance(person["president"], sitting, AttendanceAnswer.ABSENT)
        attendance.give_proxy(person["d"], person["b"], sitting)
        commit(db.session)
        data["sitting_id"] = sitting.id
    return data


def _shoot(page, name: str) -> None:
    """The page as it is, at 1280×800 and 800×1280, full page (for review; not an assertion)."""
    SHOTS.mkdir(exist_ok=True)
    for width, height in ((1280, 800), (800, 1280)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{width}x{height}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


def _until_the_pdf_is_made(app, page) -> None:
    """Reload the act's page until its PDF is there (the job generate_act runs after the commit: inline in the
    embedded column, on a real RQ worker, ``quorum worker --burst``, in production); fails after a minute."""
    deadline = time.monotonic() + 60
    while True:
        if production():
            run_worker(app)
        page.reload()
        if page.locator('a[href$="/pdf"]').count():
            return
        assert time.monotonic() < deadline, "the act's PDF was not generated within a minute"
        time.sleep(0.5)


def _sign_in_the_book(app, page, base: str, email: str) -> None:
    """The person signs the one document of their signature book (the act) with the code shown now (one they
    have not used: their login used one, so the fixtures' fresh_code gives the next, as if they had waited)."""
    from playwright.sync_api import expect

    with app.app_context(), context(db.session, SYSTEM):
        code = fresh_code(db.session.query(Person).filter_by(email=email).one())
        commit(db.session)
    page.goto(f"{base}/parapheur")
    expect(page.locator("a.seat__name")).to_have_count(1)
    page.locator("a.seat__name").click()
    page.fill("input[name=code]", code)
    page.get_by_role("button", name="Signer", exact=True).click()
    expect(page.locator(".flash--success")).to_contain_text("Document signé.")


def _vote(page, slot: str, button: str) -> None:
    """Press a vote button of the member's tablet: ``slot`` "0" for themself, or the giver's id."""
    from playwright.sync_api import expect

    page.locator(f'form[data-vote-for="{slot}"]').get_by_role("button", name=button, exact=True).click()
    expect(page.locator(f'[data-voted="{slot}"]')).to_be_visible()


@pytest.mark.browser
def test_a_secretary_runs_a_sitting_of_two_items_while_three_members_vote(app, live_server, chromium, tmp_path):
    from playwright.sync_api import expect

    data = _council(app)
    names, base = data["names"], live_server
    sitting_url = f"{base}/t/{data['slug']}/s/{data['sitting_id']}"
    with app.app_context(), context(db.session, SYSTEM):
        giver_id = str(db.session.query(Person.id).filter_by(email=data["d"]).scalar())

    secretariat = log_in(chromium, base, data["secretariat"], height=900)
    secretariat.goto(sitting_url)
    secretariat.locator("[data-held-links]").get_by_role("link", name="Conduire la séance").click()
    expect(secretariat.locator("h1")).to_contain_text("conduite de la séance")
    _shoot(secretariat, "1-screen-opening")
    secretariat.select_option("#secretary", label=names["a"])
    secretariat.get_by_role("button", name="Ouvrir la séance").click()
    expect(secretariat.locator(".flash--success")).to_contain_text("Séance ouverte.")
    roll = secretariat.locator("form[data-roll-call]")
    expect(roll.locator(f'tr:has-text("{names["d"]}") select').first).to_have_value("represented")
    roll.get_by_role("button", name="Enregistrer l'appel").click()
    expect(secretariat.locator(".flash--success")).to_contain_text("Appel enregistré.")
    expect(secretariat.locator('[data-item-quorum="reached"]')).to_contain_text("3 présents pour 3 requis")
    expect(secretariat.locator("[data-current-item]")).to_contain_text(ITEMS[0])
    _shoot(secretariat, "2-screen-roll-call")

    members = {key: log_in(chromium, base, data[key]) for key in ("a", "b", "c")}
    for page in members.values():
        page.goto(f"{sitting_url}/vote")
        expect(page.locator("[data-current-item]")).to_contain_text(ITEMS[0])
        expect(page.get_by_text("Le vote n'est pas encore ouvert.")).to_be_visible()
    expect(members["a"].locator("[data-document]")).to_contain_text("Rapport de présentation")
    projection = secretariat.context.new_page()
    projection.goto(f"{sitting_url}/projection")
    expect(projection.locator(".projection__item")).to_contain_text(ITEMS[0])

    for number, choices in ((1, ("Pour", "Pour", "Pour", "Abstention")), (2, ("Contre", "Contre", "Pour", "Contre"))):
        if number == 2:
            secretariat.locator(f'[data-agenda-item]:has-text("{ITEMS[1]}")').get_by_role(
                "button", name="Passer à ce point"
            ).click()
            expect(secretariat.locator("[data-current-item]")).to_contain_text(ITEMS[1])
        secretariat.get_by_role("button", name="Ouvrir le vote").click()
        expect(secretariat.locator('[data-vote-panel="open"]')).to_be_visible()
        expect(secretariat.locator('[data-live-text="vote.cast"]')).to_have_text("0")
        expect(secretariat.locator('[data-live-list="vote.waiting"] li')).to_have_count(4)
        if number == 1:
            _shoot(secretariat, "3-screen-vote-open")
        # the tablets follow by themselves: the item taken up, the vote opened (the page reloads on the phase)
        for page in members.values():
            expect(page.locator("form[data-vote-for]").first).to_be_visible()
            expect(page.locator("[data-current-item]")).to_contain_text(ITEMS[number - 1])
        expect(members["b"].locator("form[data-vote-for]")).to_have_count(2)
        expect(members["b"].locator(f'[data-slot="{giver_id}"]')).to_contain_text(f"Au nom de {names['d']}")
        if number == 1:
            _shoot(members["b"], "4-tablet-two-ballots")
            _shoot(projection, "5-projection-vote-open")
        _vote(members["a"], "0", choices[0])
        expect(secretariat.locator('[data-live-text="vote.cast"]')).to_have_text("1")  # live, no reload
        _vote(members["b"], "0", choices[1])
        _vote(members["b"], giver_id, choices[2])
        expect(secretariat.locator('[data-live-text="vote.cast"]')).to_have_text("3")
        expect(secretariat.locator('[data-live-list="vote.waiting"]')).to_have_text(names["c"])
        _vote(members["c"], "0", choices[3])
        expect(secretariat.locator('[data-live-text="vote.cast"]')).to_have_text("4")
        expect(secretariat.locator('[data-live-list="vote.waiting"] li')).to_have_count(0)
        expect(members["c"].locator('[data-voted="0"]')).to_contain_text(f"Vote enregistré : {choices[3].lower()}.")
        expect(projection.locator('[data-live-text="vote.cast"]')).to_have_text("4")
        if number == 1:
            _shoot(members["c"], "6-tablet-voted")
        secretariat.get_by_role("button", name="Clore le vote et proclamer le résultat").click()
        outcome = "adopted" if number == 1 else "rejected"
        expect(secretariat.locator(f'[data-result="{outcome}"]')).to_be_visible()
        for page in (*members.values(), projection):
            expect(page.locator(f'[data-result="{outcome}"]')).to_be_visible()  # followed by itself
        if number == 1:
            unanimity = "À l'unanimité des suffrages exprimés (3)."
            expect(secretariat.locator("[data-vote-panel]")).to_contain_text(unanimity)
            _shoot(secretariat, "7-screen-result")
            _shoot(projection, "8-projection-result")
            _shoot(members["a"], "9-tablet-result")
        else:
            expect(secretariat.locator('[data-tally="for"]')).to_have_text("1")
            expect(secretariat.locator('[data-tally="against"]')).to_have_text("3")

    late = members["a"]
    expect(late.locator("form[data-vote-for]")).to_have_count(0)
    outcomes = secretariat.locator("[data-outcome]")
    expect(outcomes.nth(0)).to_have_attribute("data-outcome", "adopted")
    expect(outcomes.nth(1)).to_have_attribute("data-outcome", "rejected")
    secretariat.get_by_role("button", name="Lever la séance").click()
    expect(secretariat.locator(".flash--success")).to_contain_text("La séance est levée à")
    expect(secretariat.locator("[data-sitting-status]")).to_have_text("close")
    _shoot(secretariat, "10-screen-closed")
    for page in members.values():
        expect(page.locator(".lead")).to_contain_text("close")
    _shoot(members["c"], "11-tablet-closed")

    # the deliberations the two results made, on the sitting's page of deliberations
    secretariat.goto(f"{sitting_url}/deliberations")
    rows = secretariat.locator("table[data-acts] tbody tr[data-act]")
    expect(rows).to_have_count(2)
    numbers = [rows.nth(index).get_attribute("data-act") for index in range(2)]
    assert all(numbers) and numbers[0] != numbers[1]
    expect(rows.nth(0)).to_contain_text(ITEMS[0])
    expect(rows.nth(0)).to_contain_text("adopté")
    expect(rows.nth(1)).to_contain_text(ITEMS[1])
    expect(rows.nth(1)).to_contain_text("rejeté")
    _shoot(secretariat, "12-sitting-deliberations")
    rows.nth(0).get_by_role("link", name=numbers[0]).click()
    expect(secretariat.locator("h1")).to_have_text(f"Délibération n° {numbers[0]}")
    _until_the_pdf_is_made(app, secretariat)
    secretariat.get_by_role("button", name="Mettre à la signature").click()
    expect(secretariat.locator(".flash--success")).to_contain_text(f"Délibération n° {numbers[0]} mise à la signature")
    expect(secretariat.locator("[data-signature]")).to_have_attribute("data-signature", "running")
    _shoot(secretariat, "13-act-signing")

    president = log_in(chromium, base, data["president"])
    _sign_in_the_book(app, president, base, data["president"])
    _sign_in_the_book(app, members["a"], base, data["a"])  # the secretary the sitting appointed
    secretariat.reload()
    expect(secretariat.locator("[data-signature]")).to_have_attribute("data-signature", "signed")
    _shoot(secretariat, "14-act-signed")
    pdf_url = base + secretariat.locator('a[href$="/pdf"]').get_attribute("href")
    response = secretariat.context.request.get(pdf_url)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    (tmp_path / "signed.pdf").write_bytes(response.body())
    report = pdfsig(tmp_path / "signed.pdf")
    assert report.count("Signature is Valid") == 2, report
    text = pdf_text(response.body(), tmp_path)
    assert "Commission n° 1, le Conseil Municipal, à l'unanimité des suffrages exprimés (1 abstention)" in text, text
