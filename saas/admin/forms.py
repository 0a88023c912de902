"""Admin forms (Flask-WTF, so every one carries a CSRF token) and the French names of the codes they use."""

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, EmailField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from saas.admin.operations import EMAIL_PATTERN
from saas.identity.mandates.labels import ASSEMBLY_KIND_LABELS, GRANT_LABELS, ROLE_LABELS
from saas.identity.models import GrantKind, MandateRole
from saas.tenancy.models import PoliticalGroupKind

#: the French names shared with the member screens, so a role reads the same everywhere
ASSEMBLY_KINDS, ROLES, GRANT_KINDS = ASSEMBLY_KIND_LABELS, ROLE_LABELS, GRANT_LABELS
GROUP_KINDS = {
    PoliticalGroupKind.MAJORITY: _l("Majorité"),
    PoliticalGroupKind.OPPOSITION: _l("Opposition"),
    PoliticalGroupKind.OTHER: _l("Autre"),
}
REQUIRED = _l("Ce champ est obligatoire.")
NO_CHOICE = 0


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(code.value, label) for code, label in labels.items()]


class AssemblyForm(FlaskForm):
    name = StringField(_l("Nom"), validators=[InputRequired(REQUIRED), Length(max=200)])
    kind = SelectField(_l("Type"), choices=_choices(ASSEMBLY_KINDS), validators=[InputRequired(REQUIRED)])
    seats = IntegerField(
        _l("Nombre de sièges (effectif légal)"),
        validators=[Optional(), NumberRange(min=1, max=1000, message=_l("Indiquez un nombre entre 1 et 1 000."))],
    )


class NewAssemblyForm(AssemblyForm):
    key = StringField(
        _l("Identifiant (facultatif, déduit du nom)"),
        validators=[
            Optional(),
            Length(max=63),
            Regexp(r"^[a-z0-9][a-z0-9-]*$", message=_l("Lettres minuscules, chiffres et tirets uniquement.")),
        ],
    )


class GroupForm(FlaskForm):
    name = StringField(_l("Nom"), validators=[InputRequired(REQUIRED), Length(max=200)])
    kind = SelectField(_l("Type"), choices=_choices(GROUP_KINDS), validators=[InputRequired(REQUIRED)])


class MandateForm(FlaskForm):
    """Invite a person, or add a mandate to an account that already exists for this e-mail."""

    email = EmailField(
        _l("Adresse e-mail"),
        validators=[
            InputRequired(REQUIRED),
            Length(max=254),
            Regexp(f"^{EMAIL_PATTERN.pattern}$", message=_l("Adresse e-mail invalide.")),
        ],
    )
    first_name = StringField(_l("Prénom"), validators=[InputRequired(REQUIRED), Length(max=100)])
    last_name = StringField(_l("Nom"), validators=[InputRequired(REQUIRED), Length(max=100)])
    assembly = SelectField(_l("Assemblée"), coerce=int, validators=[InputRequired(REQUIRED)])
    role = SelectField(_l("Rôle"), choices=_choices(ROLES), default=MandateRole.MEMBER.value)
    political_group = SelectField(_l("Groupe politique"), coerce=int, validators=[Optional()])
    start_date = DateField(_l("Début du mandat"), default=date.today, validators=[InputRequired(REQUIRED)])
    end_date = DateField(_l("Fin du mandat (facultatif)"), validators=[Optional()])

    def validate_end_date(self, field):
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("La fin du mandat précède son début."))


class EndMandateForm(FlaskForm):
    end_date = DateField(_l("Dernier jour du mandat"), default=date.today, validators=[InputRequired(REQUIRED)])


#: the rights given on the whole collectivity, without an assembly
WHOLE_COLLECTIVITY_GRANTS = (GrantKind.TENANT_ADMIN, GrantKind.URGENT_VALIDATOR)


class GrantForm(FlaskForm):
    person = SelectField(_l("Personne"), coerce=int, validators=[InputRequired(REQUIRED)])
    #: the rights this form gives; a drafter's service is chosen elsewhere (saas.reports)
    kind = SelectField(
        _l("Droit"),
        choices=_choices({kind: GRANT_KINDS[kind] for kind in WHOLE_COLLECTIVITY_GRANTS + (GrantKind.SECRETARY,)}),
        validators=[InputRequired(REQUIRED)],
    )
    assembly = SelectField(_l("Assemblée (pour le secrétariat)"), coerce=int, validators=[Optional()])

    def validate_assembly(self, field):
        if self.kind.data == GrantKind.SECRETARY.value and field.data == NO_CHOICE:
            raise ValidationError(_l("Choisissez l'assemblée dont la personne assurera le secrétariat."))
        if self.kind.data in WHOLE_COLLECTIVITY_GRANTS and field.data != NO_CHOICE:
            raise ValidationError(_l("Ce droit porte sur toute la collectivité : ne choisissez pas d'assemblée."))


class ImportForm(FlaskForm):
    file = FileField(_l("Fichier CSV des membres"), validators=[FileRequired(_l("Choisissez un fichier CSV."))])


class ActionForm(FlaskForm):
    """A button that changes something (archive, remove): nothing but the CSRF token."""


class TeletransmissionForm(FlaskForm):
    """The collectivity's identity in the @ctes envelope (saas.prefecture); checked by its operation."""

    departement = StringField(
        _l("Code département"),
        validators=[Optional(), Length(max=3)],
        description=_l("Celui de la préfecture qui contrôle vos actes, sur 3 caractères : 025, 02A, 974."),
    )
    arrondissement = StringField(
        _l("Arrondissement"),
        validators=[Optional(), Length(max=1)],
        description=_l("Un chiffre : 1 pour l'arrondissement de la préfecture."),
    )
    nature = SelectField(_l("Nature de la collectivité"), validators=[Optional()])
    email = EmailField(
        _l("Adresse de retour"),
        validators=[Optional(), Length(max=254)],
        description=_l("La boîte de la collectivité où la préfecture répond (la personne qui prépare l'envoi aussi)."),
    )
