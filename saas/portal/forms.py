"""The portal's forms: the public search (read from the query string, no token: it changes nothing) and the
secretariat's « Publier » button with its statement about personal data."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional, Regexp, ValidationError

from saas.portal.models import KIND_LABELS, PublicationKind
from saas.portal.search import MAX_PAGE, Criteria


class PublishForm(FlaskForm):
    personal_data_checked = BooleanField(
        _l("Le document ne comporte aucune donnée personnelle dont la loi interdit la diffusion"),
        description=_l("Article L312-1-2 du code des relations entre le public et l'administration."),
    )


def _no_control_characters(form, field):
    if field.data and any(ord(c) < 32 or c in "\ufffd\x7f" for c in field.data):
        raise ValidationError(_l("Ce texte contient des caractères invalides."))


class SearchForm(FlaskForm):
    """The search of the public list; every field optional."""

    class Meta:
        csrf = False

    numero = StringField(
        _l("Numéro"), validators=[Optional(), Length(max=60), _no_control_characters], description=_l("ex. 2026-044")
    )
    du = DateField(_l("Décidé à partir du"), validators=[Optional()])
    au = DateField(_l("Décidé jusqu'au"), validators=[Optional()])
    matiere = StringField(
        _l("Code matière"),
        validators=[
            Optional(),
            Regexp(r"^\d{1,2}(\.\d{1,2}){0,2}$", message=_l("Un code matière s'écrit 8 ou 8.5.")),
        ],
        description=_l("ex. 8.5 (nomenclature @ctes)"),
    )
    mots = StringField(_l("Mots du titre"), validators=[Optional(), Length(max=200), _no_control_characters])
    type = SelectField(
        _l("Type de document"),
        choices=[SelectChoice("", _l("Tous"))]
        + [SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
        validators=[Optional()],
    )
    page = IntegerField(
        _l("Page"),
        validators=[
            Optional(),
            NumberRange(min=1, max=MAX_PAGE, message=_l("Une page entre 1 et 10 000.")),
        ],
    )

    def validate_au(self, field):
        if field.data and self.du.data and field.data < self.du.data:
            raise ValidationError(_l("La date de fin précède la date de début."))

    def criteria(self) -> Criteria:
        return Criteria(
            number=(self.numero.data or "").strip(),
            from_day=self.du.data,
            to_day=self.au.data,
            subject_code=(self.matiere.data or "").strip(),
            words=(self.mots.data or "").strip(),
            kind=PublicationKind(self.type.data) if self.type.data else None,
            page=self.page.data or 1,
        )
