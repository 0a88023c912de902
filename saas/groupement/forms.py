"""Console forms (Flask-WTF: every one carries a CSRF token) and the French names of the codes they use."""

from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, StopValidation, ValidationError

from saas.groupement.models import DeviceStatus, MilestoneStatus, SharingKey
from saas.identity.mandates.labels import TENANT_KIND_LABELS
from saas.tenancy.models import TenantKind

REQUIRED = _l("Ce champ est obligatoire.")
POSITIVE = NumberRange(min=0, message=_l("Indiquez un nombre positif."))
CENTS_HINT = _l("en centimes d'euro (entier) : 1 250,00 € s'écrit 125000")

MILESTONE_STATUSES = {
    MilestoneStatus.PLANNED: _l("prévue"),
    MilestoneStatus.IN_PROGRESS: _l("en cours"),
    MilestoneStatus.DONE: _l("terminée"),
}
DEVICE_STATUSES = {
    DeviceStatus.IN_STOCK: _l("en stock"),
    DeviceStatus.ASSIGNED: _l("attribué"),
    DeviceStatus.LOST: _l("perdu"),
    DeviceStatus.WIPED: _l("effacé"),
    DeviceStatus.RETURNED: _l("rendu"),
}
SHARING_KEYS = {
    SharingKey.EQUAL: _l("Parts égales"),
    SharingKey.EQUIPPED_MEMBERS: _l("Au prorata des élus équipés"),
    SharingKey.POPULATION: _l("Au prorata de la population"),
    SharingKey.FIXED: _l("Pourcentages fixes"),
}


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(code.value, label) for code, label in labels.items()]


class GroupForm(FlaskForm):
    name = StringField(
        _l("Nom du groupement"),
        default="Groupement de commandes — équipement numérique des élus",
        validators=[InputRequired(REQUIRED), Length(max=200)],
    )
    coordinator = SelectField(_l("Collectivité coordonnatrice"), coerce=int, validators=[InputRequired(REQUIRED)])
    joining_reference = StringField(
        _l("Délibération d'adhésion du coordonnateur (référence)"),
        validators=[InputRequired(REQUIRED), Length(max=200)],
    )
    joined_on = DateField(_l("Date de cette délibération"), validators=[InputRequired(REQUIRED)])


class JoinForm(FlaskForm):
    tenant = SelectField(_l("Collectivité"), coerce=int, validators=[InputRequired(REQUIRED)])
    joining_reference = StringField(
        _l("Délibération d'adhésion (référence)"), validators=[InputRequired(REQUIRED), Length(max=200)]
    )
    joined_on = DateField(_l("Date de la délibération"), validators=[InputRequired(REQUIRED)])
    seats = IntegerField(_l("Licences"), default=0, validators=[InputRequired(REQUIRED), POSITIVE])


class ProvisionForm(FlaskForm):
    """A new member collectivity, its administrator and its joining deliberation."""

    name = StringField(_l("Nom de la collectivité"), validators=[InputRequired(REQUIRED), Length(max=200)])
    slug = StringField(
        _l("Identifiant dans les adresses"),
        validators=[
            InputRequired(REQUIRED),
            Length(max=63),
            Regexp(r"^[a-z0-9][a-z0-9-]*$", message=_l("Lettres minuscules, chiffres et tirets uniquement.")),
        ],
    )
    kind = SelectField(_l("Type"), choices=_choices(TENANT_KIND_LABELS), default=TenantKind.SYNDICAT.value)
    siren = StringField(
        _l("SIREN"), validators=[InputRequired(REQUIRED), Regexp(r"^\d{9}$", message=_l("Le SIREN compte 9 chiffres."))]
    )
    population = IntegerField(_l("Population légale"), validators=[InputRequired(REQUIRED), POSITIVE])
    admin_email = EmailField(
        _l("Adresse e-mail de l'administrateur"),
        validators=[
            InputRequired(REQUIRED),
            Length(max=254),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Adresse e-mail invalide.")),
        ],
    )
    admin_first_name = StringField(
        _l("Prénom de l'administrateur"), validators=[InputRequired(REQUIRED), Length(max=100)]
    )
    admin_last_name = StringField(_l("Nom de l'administrateur"), validators=[InputRequired(REQUIRED), Length(max=100)])
    joining_reference = StringField(
        _l("Délibération d'adhésion (référence)"), validators=[InputRequired(REQUIRED), Length(max=200)]
    )
    joined_on = DateField(_l("Date de la délibération"), validators=[InputRequired(REQUIRED)])
    seats = IntegerField(_l("Licences"), default=0, validators=[InputRequired(REQUIRED), POSITIVE])


class MembershipForm(FlaskForm):
    seats = IntegerField(_l("Licences"), validators=[InputRequired(REQUIRED), POSITIVE])
    agreement_signed_on = DateField(
        _l("Convention signée sur papier le (facultatif)"),
        validators=[Optional()],
        description=_l("La signature électronique (page « Convention ») remplit ces deux champs d'elle-même."),
    )
    agreement_signed_by = StringField(
        _l("Par (nom et qualité du signataire)"), validators=[Optional(), Length(max=200)]
    )


class WithdrawalForm(FlaskForm):
    withdrawn_on = DateField(_l("Dernier jour de l'adhésion"), default=date.today, validators=[InputRequired(REQUIRED)])
    withdrawal_effect = TextAreaField(
        _l("Effet financier (clause de la convention)"), validators=[InputRequired(REQUIRED)]
    )
    withdrawal_amount_cents = IntegerField(
        _l("Montant dû (+) ou remboursé (−), en centimes (facultatif)"), validators=[Optional()]
    )


class AgreementForm(FlaskForm):
    file = FileField(_l("Convention constitutive (PDF)"), validators=[FileRequired(_l("Choisissez un fichier PDF."))])


def signatories_form(proposal) -> FlaskForm:
    """The start of a signature round: for each member (as ``agreement_signing.proposal`` gives them), its
    signatory among its elected members, their quality on the stamp, and their rank in the order."""

    class SignatoriesForm(FlaskForm):
        pass

    count = len(proposal)
    rank = NumberRange(min=1, max=count, message=_l("Un rang entre 1 et %(count)s.", count=count))
    for position, (membership, people, president, title) in enumerate(proposal, start=1):
        name = membership.tenant.name
        choices = [SelectChoice(p.person_id, p.full_name) for p in people]
        setattr(
            SignatoriesForm,
            f"signer_{membership.id}",
            SelectField(
                _l("%(name)s — signataire", name=name),
                coerce=int,
                choices=choices,
                default=president,
                validators=[InputRequired(REQUIRED)],
                validate_choice=False,
            ),
        )
        setattr(
            SignatoriesForm,
            f"role_{membership.id}",
            StringField(
                _l("%(name)s — qualité (sur le tampon)", name=name),
                default=title,
                validators=[InputRequired(REQUIRED), Length(max=200)],
            ),
        )
        setattr(
            SignatoriesForm,
            f"rank_{membership.id}",
            IntegerField(
                _l("%(name)s — rang de signature", name=name),
                default=position,
                validators=[InputRequired(REQUIRED), rank],
            ),
        )
    return SignatoriesForm()


class ContractForm(FlaskForm):
    reference = StringField(_l("Numéro du marché"), validators=[InputRequired(REQUIRED), Length(max=60)])
    title = StringField(_l("Objet"), validators=[InputRequired(REQUIRED), Length(max=300)])
    supplier = StringField(_l("Titulaire"), validators=[InputRequired(REQUIRED), Length(max=200)])
    awarded_on = DateField(_l("Notifié le (facultatif)"), validators=[Optional()])
    start_date = DateField(_l("Début"), validators=[InputRequired(REQUIRED)])
    end_date = DateField(_l("Fin (facultatif)"), validators=[Optional()])


class LotForm(FlaskForm):
    number = IntegerField(_l("Numéro du lot"), validators=[InputRequired(REQUIRED), NumberRange(min=1)])
    title = StringField(_l("Intitulé"), validators=[InputRequired(REQUIRED), Length(max=300)])
    units = IntegerField(_l("Unités"), default=0, validators=[InputRequired(REQUIRED), POSITIVE])
    equipment_cents = IntegerField(
        _l("Équipement, facturé une fois"),
        default=0,
        description=CENTS_HINT,
        validators=[InputRequired(REQUIRED), POSITIVE],
    )
    licences_cents_per_year = IntegerField(
        _l("Licences, par an"), default=0, description=CENTS_HINT, validators=[InputRequired(REQUIRED), POSITIVE]
    )
    support_cents_per_year = IntegerField(
        _l("Support, par an"), default=0, description=CENTS_HINT, validators=[InputRequired(REQUIRED), POSITIVE]
    )


class MilestoneForm(FlaskForm):
    planned_date = DateField(_l("Échéance prévue"), validators=[InputRequired(REQUIRED)])
    status = SelectField(_l("État"), choices=_choices(MILESTONE_STATUSES), validators=[InputRequired(REQUIRED)])
    actual_date = DateField(_l("Réalisée le (si terminée)"), validators=[Optional()])


class DeviceForm(FlaskForm):
    serial = StringField(_l("Numéro de série"), validators=[InputRequired(REQUIRED), Length(max=100)])
    model = StringField(_l("Modèle"), validators=[InputRequired(REQUIRED), Length(max=200)])
    lot = SelectField(_l("Lot"), coerce=int, validators=[Optional()])


class AssignForm(FlaskForm):
    person = SelectField(_l("Élu"), coerce=int, validators=[InputRequired(REQUIRED)])


class DeviceStatusForm(FlaskForm):
    status = SelectField(_l("Nouvel état"), validators=[InputRequired(REQUIRED)])


class StatementForm(FlaskForm):
    contract = SelectField(_l("Marché"), coerce=int, validators=[InputRequired(REQUIRED)])
    period = StringField(_l("Période (ex. 2014)"), validators=[InputRequired(REQUIRED), Length(max=20)])
    key = SelectField(_l("Clé de répartition"), choices=_choices(SHARING_KEYS), validators=[InputRequired(REQUIRED)])
    includes_equipment = BooleanField(_l("Inclure l'équipement (facturé une fois, en général la première année)"))


class PercentField(StringField):
    """A percentage written the French way ("33,5") or not ("33.5"); empty is 0. ``number`` is the value
    once validated."""

    number: Decimal | None = None


def _percent_if_fixed(form, field: PercentField) -> None:
    """Read only with the fixed key (any other key ignores the percentages, as it always has)."""
    if form.key.data != SharingKey.FIXED.value:
        raise StopValidation()
    text = (field.data or "").strip().replace("\u202f", "").replace(" ", "").replace(",", ".")
    try:
        number = Decimal(text or "0")
    except InvalidOperation:
        raise ValidationError(_l("Un nombre, par exemple 25 ou 12,5.")) from None
    if not number.is_finite() or not 0 <= number <= 100:
        raise ValidationError(_l("Un pourcentage entre 0 et 100."))
    field.number = number


def statement_form(members) -> StatementForm:
    """The statement form with one percentage per member (``percent-<tenant id>``), in the members' order."""

    class MemberStatementForm(StatementForm):
        pass

    for membership in members:
        setattr(
            MemberStatementForm,
            f"percent_{membership.tenant_id}",
            PercentField(
                f"{membership.tenant.name} (%)",
                name=f"percent-{membership.tenant_id}",
                validators=[_percent_if_fixed],
                render_kw={"inputmode": "decimal"},
            ),
        )
    form = MemberStatementForm()
    form.percent_fields = [form[f"percent_{membership.tenant_id}"] for membership in members]
    return form


class ActionForm(FlaskForm):
    """A button that changes something (declare lost): nothing but the CSRF token."""
