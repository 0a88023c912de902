"""The signature book's forms: sign with a code, refuse with a reason, comment, sign a batch, and the
secretariat's request forms (an uploaded PDF, or a sitting's documents) with their signer rows.

The field names are those the pages have always posted (``code``, ``reason``, ``comment``, ``request``,
``title``, ``file``, ``version``, ``signer-1``/``role-1``…), so links, tests and habits keep working. The
operations hold the rules and say what is wrong in French; the forms only read what was sent.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import Field, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from saas.core.inputs import ID_PATTERN

#: signer rows offered on a request form
SIGNER_ROWS = 3


def optional_id(value) -> int | None:
    """A select's value: no one (``None``) for the empty choice, else an id; anything else is the id 0, which
    names no candidate, so the operation refuses it with its own message."""
    if value is None or value == "":
        return None
    if isinstance(value, int):
        return value
    return int(value) if ID_PATTERN.fullmatch(str(value).strip()) else 0


class IdsField(Field):
    """Ids ticked in a list (several inputs of the same name); ``invalid`` if one is not an id."""

    def process_formdata(self, valuelist):
        self.data = [optional_id(value) for value in valuelist]

    def _value(self):
        return ""

    @property
    def invalid(self) -> bool:
        return any(not value for value in self.data or [])


class SignForm(FlaskForm):
    code = StringField(_l("Code de votre application d'authentification"))


class RefusalForm(FlaskForm):
    reason = TextAreaField(_l("Motif (obligatoire, transmis au secrétariat)"))


class CommentForm(FlaskForm):
    comment = TextAreaField(_l("Commentaire (visible du secrétariat et des signataires)"), id="comment-text")


class BatchForm(FlaskForm):
    request = IdsField()
    code = StringField(_l("Code de votre application d'authentification"))


class SignersForm(FlaskForm):
    """Signer rows in signing order: ``signer_1``/``role_1``… posted as ``signer-1``/``role-1``…"""

    def set_candidates(self, candidates) -> None:
        choices = [("", _l("— Aucun —")), *((person.id, person.full_name) for person in candidates)]
        for n in range(1, SIGNER_ROWS + 1):
            self[f"signer_{n}"].choices = choices

    def set_rows(self, rows: list[tuple[int | None, str]]) -> None:
        """The rows shown before anything is posted (the proposed signers)."""
        for n, (person_id, role) in enumerate(rows[:SIGNER_ROWS], start=1):
            self[f"signer_{n}"].data, self[f"role_{n}"].data = person_id, role

    def rows(self) -> list[tuple[int | None, str]]:
        return [(self[f"signer_{n}"].data, self[f"role_{n}"].data or "") for n in range(1, SIGNER_ROWS + 1)]

    def row_fields(self):
        return [(self[f"signer_{n}"], self[f"role_{n}"]) for n in range(1, SIGNER_ROWS + 1)]


for _n in range(1, SIGNER_ROWS + 1):
    setattr(
        SignersForm,
        f"signer_{_n}",
        SelectField(_l("Signataire %(n)s", n=_n), name=f"signer-{_n}", coerce=optional_id, validate_choice=False),
    )
    setattr(
        SignersForm,
        f"role_{_n}",
        StringField(_l("Qualité (sur le tampon de signature)"), name=f"role-{_n}", render_kw={"maxlength": 200}),
    )


class UploadRequestForm(SignersForm):
    """An uploaded PDF put to signature."""

    title = StringField(_l("Titre"), render_kw={"maxlength": 300})
    file = FileField(_l("Fichier PDF"), validators=[FileRequired(_l("Joignez le fichier PDF."))])


class SittingRequestForm(SignersForm):
    """A sitting's documents put to signature, one request per document ticked."""

    version = SelectMultipleField(
        _l("Documents à faire signer (une demande par document)"),
        coerce=optional_id,
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

    def set_versions(self, versions) -> None:
        self.version.choices = [
            (version.id, f"{item.position}. {item.title} — {document.title} ({_('version %(n)s', n=version.number)})")
            for item, document, version in versions
        ]

    def chosen(self) -> set[int]:
        return {value for value in self.version.data or [] if value}
