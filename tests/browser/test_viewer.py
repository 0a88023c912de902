"""The document viewer and its annotation tools in real headless Chromium (issue #5).

Like test_mandates_browser.py, the application runs in a real HTTP server thread, so the data is committed
for real: every e-mail and slug is unique to this run. The dossier is a PDF made with pikepdf at test time.
"""

import io
import os
import re
import uuid
from dataclasses import dataclass
from datetime import date

import pikepdf
import pytest
from pikepdf import Dictionary, Name
from PIL import Image

from saas.core.database import SYSTEM, TenantContext, commit, context
from saas.core.extensions import db
from saas.documents import operations as documents
from saas.documents.models import Document
from saas.identity import authentication, operations
from saas.identity.models import MandateRole, Person
from saas.sittings import operations as sittings
from saas.sittings.models import SittingStatus
from saas.tenancy.models import Assembly, AssemblyKind, PoliticalGroup, Tenant, TenantKind
from tests.fixtures.instances import fresh_app
from tests.fixtures.pdfs import dossier
from tests.fixtures.people import PASSWORD
from tests.fixtures.sittings import MONDAY_15_MARCH_2027


@dataclass
class Council:
    slug: str
    document_id: int
    sitting_id: int
    author: str  # e-mails
    group_mate: str
    other_member: str
    author_name: str


def _person(run: str, first: str, last: str) -> Person:
    person = Person(email=f"{first.lower()}-{run}@example.org", first_name=first, last_name=f"{last}-{run}")
    person.password_hash = authentication.password_hasher.hash(PASSWORD)
    db.session.add(person)
    return person


def large_dossier(pages: int = 40) -> bytes:
    """The three-page dossier followed by pages each holding 150 KB of incompressible image data."""
    pdf = pikepdf.Pdf.open(io.BytesIO(dossier()))
    for _ in range(pages - 3):
        page = pdf.add_blank_page(page_size=(595, 842))
        pixels = os.urandom(250 * 200 * 3)
        image = pdf.make_stream(
            pixels, Type=Name.XObject, Subtype=Name.Image, Width=250, Height=200, BitsPerComponent=8
        )
        image.ColorSpace = Name.DeviceRGB
        page.Resources = Dictionary(XObject=Dictionary(Im1=image))
        page.Contents = pdf.make_stream(b"q 500 0 0 400 40 300 cm /Im1 Do Q")
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    return out.getvalue()


def scanned_page() -> bytes:
    """A one-page scan: a red square stored as a JPEG 2000 image (PDF.js decodes it with WebAssembly)."""
    image = io.BytesIO()
    Image.new("RGB", (200, 200), (220, 30, 30)).save(image, "JPEG2000")
    pdf = pikepdf.Pdf.new()
    page = pdf.add_blank_page(page_size=(595, 842))
    scan = pdf.make_stream(image.getvalue(), Type=Name.XObject, Subtype=Name.Image, Width=200, Height=200)
    scan.Filter = Name.JPXDecode
    page.Resources = Dictionary(XObject=Dictionary(Im1=scan))
    page.Contents = pdf.make_stream(b"q 595 0 0 842 0 0 cm /Im1 Do Q")
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _committed_council(app, pdf: bytes | None = None) -> Council:
    """A commune, its council with two political groups, a convened sitting with one dossier; committed."""
    run = uuid.uuid4().hex[:8]
    with app.app_context(), context(db.session, SYSTEM):
        tenant = Tenant(
            slug=f"v-{run}",
            name=f"Ville de Baume {run}",
            kind=TenantKind.COMMUNE,
            siren=run.ljust(9, "1"),
            population=3200,
        )
        db.session.add(tenant)
        db.session.flush()
        assembly = Assembly(
            tenant_id=tenant.id, key="conseil", name="Conseil municipal", kind=AssemblyKind.COUNCIL, seats=19
        )
        majority = PoliticalGroup(tenant_id=tenant.id, name="Baume en avant")
        opposition = PoliticalGroup(tenant_id=tenant.id, name="Baume autrement")
        db.session.add_all([assembly, majority, opposition])
        db.session.flush()
        people = {
            "author": (_person(run, "Helene", "Marchand"), majority),
            "group_mate": (_person(run, "Bruno", "Vidal"), majority),
            "other_member": (_person(run, "Claire", "Roux"), opposition),
        }
        for person, group in people.values():
            request = operations.MandateRequest(
                email=person.email,
                first_name=person.first_name,
                last_name=person.last_name,
                assembly=assembly,
                role=MandateRole.MEMBER,
                start_date=date(2026, 1, 1),
                political_group=group,
            )
            operations.give_mandate(tenant, request, actor=None)
        commit(db.session)
        tenant_id, assembly_id = tenant.id, assembly.id
        emails = {key: person.email for key, (person, _group) in people.items()}
        author_name = people["author"][0].full_name
    with app.app_context(), context(db.session, TenantContext(tenant_id=tenant_id)):
        tenant = db.session.get(Tenant, tenant_id)
        assembly = db.session.get(Assembly, assembly_id)
        sitting = sittings.create_sitting(tenant, assembly, starts_at=MONDAY_15_MARCH_2027, place="Salle", actor=None)
        item = sittings.add_item(sitting, title="Budget primitif", actor=None)
        sittings.set_status(sitting, SittingStatus.CONVENED, actor=None, at=MONDAY_15_MARCH_2027.replace(month=2))
        document = documents.add_item_document(
            item, "report", "Rapport budget", io.BytesIO(pdf or dossier()), "budget.pdf", None
        )
        commit(db.session)
        return Council(tenant.slug, document.id, sitting.id, author_name=author_name, **emails)


def _replace_dossier(app, council: Council, pdf: bytes | None = None) -> None:
    """The secretariat uploads version 2: by default one page inserted in front, so the sentence moves to
    page 3."""
    with app.app_context(), context(db.session, SYSTEM):
        slug_tenant = db.session.query(Tenant).filter_by(slug=council.slug).one()
    with app.app_context(), context(db.session, TenantContext(tenant_id=slug_tenant.id)):
        document = db.session.get(Document, council.document_id)
        documents.replace_document(document, io.BytesIO(pdf or dossier(blank_pages_before=1)), "budget-v2.pdf", None)
        commit(db.session)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """An installation of its own: these tests commit for real through a live server, and what they commit
    (collectivities with their PKI, documents) must not show up in the suite's shared database."""
    with fresh_app(tmp_path_factory.mktemp("viewer"), "viewer") as application:
        yield application


class Reader:
    """One person's browser on the viewer; console errors (a CSP refusal, an uncaught exception) are kept."""

    def __init__(self, browser, base: str, council: Council, email: str):
        self.context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
        self.page = self.context.new_page()
        self.errors = []
        self.page.on("console", self.console)
        self.page.on("response", self.response)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.base, self.council = base, council
        self.page.goto(f"{base}/login")
        self.page.fill("input[name=email]", email)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(re.compile(r".*/(?!login).*"))

    def console(self, message):
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(message.text)
        if "fake worker" in message.text:  # PDF.js could not start its worker (the CSP refused it)
            self.errors.append(message.text)

    def response(self, response):
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.errors.append(f"{response.status} {response.request.method} {response.url}")

    @property
    def url(self) -> str:
        return f"{self.base}/t/{self.council.slug}/documents/{self.council.document_id}/lire"

    def open(self, suffix: str = ""):
        from playwright.sync_api import expect

        self.page.goto(self.url + suffix)
        expect(self.page.locator("#viewer")).to_have_attribute("data-state", "ready")
        expect(self.page.locator('.vpage[data-page="1"][data-rendered]')).to_have_count(1)
        return self.page

    def page_view(self, number: int):
        return self.page.locator(f'.vpage[data-page="{number}"]')

    def tool(self, name: str):
        self.page.locator(f'button[data-tool="{name}"]').click()

    def drag_over(self, locator):
        box = locator.bounding_box()
        y = box["y"] + box["height"] / 2
        self.page.mouse.move(box["x"] + 1, y)
        self.page.mouse.down()
        self.page.mouse.move(box["x"] + box["width"] / 2, y, steps=5)
        self.page.mouse.move(box["x"] + box["width"] - 1, y, steps=5)
        self.page.mouse.up()


@pytest.mark.browser
def test_highlight_and_note_persist_stay_private_share_with_the_group_and_follow_a_new_version(
    app, live_server, chromium
):
    from playwright.sync_api import expect

    council = _committed_council(app)
    author = Reader(chromium, live_server, council, council.author)
    page = author.open()
    expect(page.locator("h1")).to_contain_text("Rapport budget")
    page.locator('[data-field="pages"]').focus()
    page.keyboard.press("ArrowDown")
    expect(page.locator('[data-field="page-number"]')).to_have_value("2")
    second = author.page_view(2)
    sentence = second.locator(".textLayer span", has_text="budget primitif")
    expect(sentence).to_have_count(1)

    author.tool("highlight")
    author.drag_over(sentence)
    highlight = second.locator(".annot--highlight")
    expect(highlight).to_have_count(1)
    expect(page.locator('[data-field="editor"]')).to_be_visible()
    expect(page.locator('[data-field="editor-quote"]')).to_contain_text("budget primitif")

    author.tool("note")
    box = second.bounding_box()
    page.mouse.click(box["x"] + 450, box["y"] + 300)
    expect(page.locator('[data-field="editor-title"]')).to_have_text("Nouvelle note")
    page.fill('[data-field="editor-body"]', "Demander le détail des investissements")
    page.click('[data-action="save-annotation"]')
    expect(second.locator(".annot--note")).to_have_count(1)

    page.reload()
    expect(page.locator("#viewer")).to_have_attribute("data-state", "ready")
    author.page_view(2).scroll_into_view_if_needed()
    expect(author.page_view(2).locator(".annot--highlight")).to_have_count(1)
    expect(author.page_view(2).locator(".annot--note")).to_have_count(1)
    expect(page.locator(".viewer__list-item")).to_have_count(2)

    mate = Reader(chromium, live_server, council, council.group_mate)
    mate_page = mate.open()
    expect(mate_page.locator('[data-field="list-empty"]')).to_be_visible()
    expect(mate_page.locator(".annot")).to_have_count(0)

    author.tool("select")
    page.locator(".viewer__list-item", has_text="Surlignage").click()
    page.select_option('[data-field="editor-scope"]', "group")
    page.fill('[data-field="editor-body"]', "À vérifier avec le groupe")
    page.click('[data-action="save-annotation"]')
    expect(page.locator('[data-field="sync"]')).to_have_text("Annotation enregistrée.")

    mate_page.reload()
    expect(mate_page.locator("#viewer")).to_have_attribute("data-state", "ready")
    shared = mate_page.locator(".viewer__list-item")
    expect(shared).to_have_count(1)
    shared.click()
    expect(mate_page.locator('[data-field="editor-meta"]')).to_contain_text(council.author_name)
    expect(mate.page_view(2).locator(".annot--highlight.annot--shared")).to_have_count(1)
    mate_page.fill('[data-field="reply-body"]', "D'accord, je prépare une question.")
    mate_page.click('[data-action="send-reply"]')
    expect(mate_page.locator('[data-field="reply-list"] li')).to_have_count(1)

    other = Reader(chromium, live_server, council, council.other_member)
    other_page = other.open()
    expect(other_page.locator('[data-field="list-empty"]')).to_be_visible()
    expect(other_page.locator(".annot")).to_have_count(0)

    _replace_dossier(app, council)
    page.reload()
    expect(page.locator("h1")).to_contain_text("version 2")
    third = author.page_view(3)
    third.scroll_into_view_if_needed()
    expect(third.locator(".annot--highlight")).to_have_count(1)
    expect(page.locator(".viewer__list-item", has_text="Surlignage")).to_contain_text("p. 3")
    expect(page.locator('[data-field="orphans"]')).to_be_hidden()
    page.screenshot(path="/tmp/quorum-viewer.png")
    for reader in (author, mate, other):
        assert reader.errors == []


def percent(text: str) -> int:
    return int(text.removesuffix(" %"))


@pytest.mark.browser
def test_keyboard_zoom_thumbnails_and_search(app, live_server, chromium):
    from playwright.sync_api import expect

    council = _committed_council(app)
    reader = Reader(chromium, live_server, council, council.author)
    page = reader.open()
    expect(page.locator(".thumb")).to_have_count(3)
    expect(page.locator('.thumb[data-thumb="1"]')).to_have_attribute("aria-current", "page")
    page.locator('[data-field="pages"]').focus()
    page.keyboard.press("End")
    expect(page.locator('[data-field="page-number"]')).to_have_value("3")
    page.keyboard.press("PageUp")
    expect(page.locator('[data-field="page-number"]')).to_have_value("2")
    page.keyboard.press("Home")
    expect(page.locator('[data-field="page-number"]')).to_have_value("1")
    zoom = page.locator('[data-field="zoom"]')
    before = zoom.text_content()
    page.keyboard.press("+")
    expect(zoom).not_to_have_text(before)
    enlarged = percent(zoom.text_content())
    assert enlarged > percent(before)
    page.keyboard.press("-")
    expect(zoom).not_to_have_text(f"{enlarged} %")
    assert percent(zoom.text_content()) < enlarged

    page.keyboard.press("Control+f")
    expect(page.locator('[data-field="search"]')).to_be_focused()
    page.keyboard.type("DÉPENSES")
    page.keyboard.press("Enter")
    expect(page.locator('[data-field="search-status"]')).to_have_text("Trouvé page 2")
    expect(reader.page_view(2).locator(".search-hit")).to_have_count(1)
    page.keyboard.type("introuvable")
    page.keyboard.press("Enter")
    expect(page.locator('[data-field="search-status"]')).to_have_text("Aucun résultat")

    page.locator('.thumb[data-thumb="3"]').click()
    expect(page.locator('[data-field="page-number"]')).to_have_value("3")
    expect(page.locator('.thumb[data-thumb="3"] canvas')).to_have_count(1)
    assert reader.errors == []


def _is_poll(response) -> bool:
    """The viewer's periodic sync: a GET of the document's annotations since its cursor."""
    return response.request.method == "GET" and "/annotations" in response.url and "since=" in response.url


@pytest.mark.browser
def test_second_device_syncs_and_a_conflict_keeps_both_versions_until_the_member_chooses(app, live_server, chromium):
    from playwright.sync_api import expect

    council = _committed_council(app)
    tablet = Reader(chromium, live_server, council, council.author)
    laptop = Reader(chromium, live_server, council, council.author)
    tablet_page, laptop_page = tablet.open(), laptop.open()

    tablet.tool("note")
    box = tablet.page_view(1).bounding_box()
    tablet_page.mouse.click(box["x"] + 400, box["y"] + 200)
    tablet_page.fill('[data-field="editor-body"]', "Première idée")
    tablet_page.click('[data-action="save-annotation"]')
    expect(tablet.page_view(1).locator(".annot--note")).to_have_count(1)

    # no reload: the laptop polls every 3 seconds
    expect(laptop.page_view(1).locator(".annot--note")).to_have_count(1, timeout=8000)
    laptop_page.locator(".viewer__list-item").click()
    expect(laptop_page.locator('[data-field="editor-body"]')).to_have_value("Première idée")

    tablet_page.fill('[data-field="editor-body"]', "Version de la tablette")
    tablet_page.click('[data-action="save-annotation"]')
    expect(tablet_page.locator('[data-field="sync"]')).to_have_text("Annotation enregistrée.")

    laptop_page.fill('[data-field="editor-body"]', "Version du portable")  # unsaved: a sync does not overwrite it
    with laptop_page.expect_response(_is_poll, timeout=10_000) as poll:  # fails if no poll ran after the edit
        pass
    assert poll.value.ok
    expect(laptop_page.locator('[data-field="editor-body"]')).to_have_value("Version du portable")
    laptop_page.click('[data-action="save-annotation"]')
    dialog = laptop_page.locator('[data-field="conflict"]')
    expect(dialog).to_be_visible()
    expect(dialog.locator('[data-field="conflict-mine"]')).to_contain_text("Version du portable")
    expect(dialog.locator('[data-field="conflict-theirs"]')).to_contain_text("Version de la tablette")
    dialog.locator('[data-action="keep-mine"]').click()
    expect(dialog).to_be_hidden()
    expect(laptop_page.locator(".viewer__list-item")).to_contain_text("Version du portable")
    expect(tablet_page.locator(".viewer__list-item")).to_contain_text("Version du portable", timeout=8000)

    # the other way round: the tablet, stale again, takes the saved version
    laptop_page.fill('[data-field="editor-body"]', "Dernier mot du portable")
    laptop_page.click('[data-action="save-annotation"]')
    expect(laptop_page.locator('[data-field="sync"]')).to_have_text("Annotation enregistrée.")
    tablet_page.locator(".viewer__list-item").click()
    tablet_page.fill('[data-field="editor-body"]', "Tentative de la tablette")
    tablet_page.click('[data-action="save-annotation"]')
    tablet_dialog = tablet_page.locator('[data-field="conflict"]')
    expect(tablet_dialog).to_be_visible()
    tablet_dialog.locator('[data-action="take-theirs"]').click()
    expect(tablet_page.locator('[data-field="editor-body"]')).to_have_value("Dernier mot du portable")
    for device in (tablet, laptop):  # the only refusals were the two conflicts, one on each device
        assert [error.split(" ")[:2] for error in device.errors] == [["409", "PATCH"]]


@pytest.mark.browser
def test_ink_free_text_move_colour_and_delete(app, live_server, chromium):
    from playwright.sync_api import expect

    council = _committed_council(app)
    reader = Reader(chromium, live_server, council, council.author)
    page = reader.open()
    first = reader.page_view(1)
    box = first.bounding_box()

    page.locator('.viewer__toolbar [data-color="#4dabf7"]').click()
    reader.tool("ink")
    page.mouse.move(box["x"] + 100, box["y"] + 300)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(box["x"] + 100 + step * 20, box["y"] + 300 + (step % 3) * 10)
    page.mouse.up()
    ink = first.locator(".annot--ink polyline")
    expect(ink).to_have_count(1)
    expect(ink).to_have_attribute("stroke", "#4dabf7")

    reader.tool("text")
    page.mouse.click(box["x"] + 100, box["y"] + 380)
    expect(page.locator('[data-field="editor-title"]')).to_have_text("Nouvelle zone de texte")
    page.fill('[data-field="editor-body"]', "Voir l'article 3")
    page.click('[data-action="save-annotation"]')
    text_box = first.locator(".annot--text")
    expect(text_box).to_have_text("Voir l'article 3")

    reader.tool("select")
    before = text_box.bounding_box()
    page.mouse.move(before["x"] + 10, before["y"] + 10)
    page.mouse.down()
    page.mouse.move(before["x"] + 60, before["y"] + 90, steps=5)
    page.mouse.up()
    expect(page.locator('[data-field="sync"]')).to_have_text("Annotation enregistrée.")
    page.reload()
    expect(page.locator("#viewer")).to_have_attribute("data-state", "ready")
    moved = reader.page_view(1).locator(".annot--text")
    expect(moved).to_have_count(1)
    after = moved.bounding_box()
    assert abs(after["x"] - before["x"] - 50) < 3 and abs(after["y"] - before["y"] - 80) < 3

    moved.click()
    page.locator('[data-field="editor"] [data-editor-color="#ff6b6b"]').click()
    page.click('[data-action="save-annotation"]')
    expect(page.locator('[data-field="sync"]')).to_have_text("Annotation enregistrée.")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click('[data-action="delete-annotation"]')
    expect(reader.page_view(1).locator(".annot--text")).to_have_count(0)
    expect(page.locator(".viewer__list-item")).to_have_count(1)
    assert reader.errors == []


@pytest.mark.browser
def test_a_scanned_jpeg_2000_page_renders_under_the_content_security_policy(app, live_server, chromium):
    council = _committed_council(app, scanned_page())
    reader = Reader(chromium, live_server, council, council.author)
    page = reader.open()
    red, green, blue = page.evaluate(
        """() => {
            const canvas = document.querySelector('.vpage[data-page="1"] canvas');
            const [r, g, b] = canvas.getContext("2d").getImageData(canvas.width / 2, canvas.height / 2, 1, 1).data;
            return [r, g, b];
        }"""
    )
    assert red > 180 and green < 80 and blue < 80
    assert reader.errors == []


@pytest.mark.browser
def test_a_large_dossier_shows_page_one_from_a_few_byte_ranges(app, live_server, chromium):
    from playwright.sync_api import expect

    data = large_dossier()
    council = _committed_council(app, data)
    reader = Reader(chromium, live_server, council, council.author)
    ranges = []
    reader.page.on(
        "response",
        lambda response: (
            "/versions/1/file" in response.url
            and response.status == 206
            and ranges.append(response.headers["content-range"])
        ),
    )
    page = reader.open()
    expect(page.locator('[data-field="page-count"]')).to_have_text("/ 40")
    fetched = 0
    for content_range in ranges:
        start, end = content_range.removeprefix("bytes ").split("/")[0].split("-")
        fetched += int(end) - int(start) + 1
    assert ranges and fetched < len(data) / 2, (fetched, len(data))
    assert reader.errors == []


@pytest.mark.browser
def test_what_a_new_version_no_longer_holds_is_listed_as_orphaned_with_its_text_and_old_page(
    app, live_server, chromium
):
    from playwright.sync_api import expect

    council = _committed_council(app)
    reader = Reader(chromium, live_server, council, council.author)
    page = reader.open("?page=2")
    expect(page.locator('[data-field="page-number"]')).to_have_value("2")
    sentence = reader.page_view(2).locator(".textLayer span", has_text="budget primitif")
    selection_button = page.locator('[data-action="highlight-selection"]')
    selection_button.click()
    expect(page.locator('[data-field="sync"]')).to_have_text("Sélectionnez d’abord du texte dans le document.")
    reader.drag_over(sentence)  # with the selection tool, as on a tablet: select, then the button
    expect(reader.page_view(2).locator(".annot--highlight")).to_have_count(0)
    selection_button.click()
    expect(reader.page_view(2).locator(".annot--highlight")).to_have_count(1)
    page.fill('[data-field="editor-body"]', "Chiffre à contester")
    page.click('[data-action="save-annotation"]')
    expect(page.locator('[data-field="sync"]')).to_have_text("Annotation enregistrée.")
    annotation_id = page.locator(".viewer__list-item").get_attribute("data-annotation")

    _replace_dossier(app, council, dossier(sentence="Le chapitre des recettes est reconduit a l'identique."))
    page.reload()
    expect(page.locator("h1")).to_contain_text("version 2")
    orphans = page.locator('[data-field="orphans"]')
    expect(orphans).to_be_visible()
    expect(orphans.locator("li")).to_have_count(1)
    expect(orphans.locator("li")).to_contain_text("Ancienne page 2 (version 1)")
    expect(orphans.locator("li")).to_contain_text("Chiffre à contester")
    expect(page.locator(".annot")).to_have_count(0)

    # the link of "Mes notes" opens the viewer at the page, on the annotation
    page.goto(f"{reader.url}?page=3#annotation-{annotation_id}")
    expect(page.locator('[data-field="page-number"]')).to_have_value("3")
    assert reader.errors == []
