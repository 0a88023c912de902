"""Sitting forms (Flask-WTF: every one carries a CSRF token). The law is checked by the operations, not
here: these forms only turn what was typed into values, and say in French what could not be read."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField, StringField, TextAreaField, TimeField
from wtforms.validators import InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from saas.core.inputs import ID_PATTERN
from saas.sittings.models import AttendanceAnswer

REQUIRED = _l("Ce champ est obligatoire.")
NO_RAPPORTEUR = 0
NO_HOLDER = 0
ANSWER_LABELS = {
    AttendanceAnswer.PRESENT: _l("Présent ou présente"),
    AttendanceAnswer.REMOTE: _l("À distance"),
    AttendanceAnswer.ABSENT: _l("Absent ou absente"),
    AttendanceAnswer.PROXY: _l("Procuration donnée"),
    AttendanceAnswer.REPLACED: _l("Remplacé ou remplacée"),
}


class SittingForm(FlaskForm):
    """Date and time are typed in the collectivity's time zone; the view makes them UTC."""

    day = DateField(_l("Date"), validators=[InputRequired(_l("Indiquez la date de la séance."))])
    time = TimeField(_l("Heure"), validators=[InputRequired(_l("Indiquez l'heure de la séance."))])
    place = StringField(_l("Lieu"), validators=[InputRequired(REQUIRED), Length(max=300)])
    remote_allowed = BooleanField(_l("Participation à distance possible"))
    urgency = BooleanField(_l("Convocation en urgence"))
    urgency_reason = TextAreaField(_l("Motif de l'urgence"), validators=[Optional(), Length(max=5000)])
    first_after_renewal = BooleanField(_l("Première séance après le renouvellement du conseil"))


class EditSittingForm(SittingForm):
    """The sitting changed: while in preparation, freely; once convened, by a new convocation with its reason."""

    reason = TextAreaField(
        _l("Motif du changement (envoyé à chaque membre avec la nouvelle convocation)"),
        validators=[Optional(), Length(max=5000)],
    )
    postponed = BooleanField(_l("Report de la séance à une date ultérieure"))


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Motif de l'annulation"),
        validators=[InputRequired(_l("Indiquez le motif de l'annulation.")), Length(max=5000)],
    )


def item_id(value) -> int:
    """A ticked item's value as an id; anything else is 0, which names no item (refused by the operation)."""
    if isinstance(value, int):
        return value
    return int(value) if ID_PATTERN.fullmatch(str(value).strip()) else 0


class ReconveneForm(FlaskForm):
    """The new sitting after a failed quorum: its date, time, place and the items it takes up."""

    day = DateField(_l("Date"), validators=[InputRequired(_l("Indiquez la date de la nouvelle séance."))])
    time = TimeField(_l("Heure"), validators=[InputRequired(_l("Indiquez l'heure de la nouvelle séance."))])
    place = StringField(_l("Lieu"), validators=[InputRequired(REQUIRED), Length(max=300)])
    items = SelectMultipleField(
        _l("Points inscrits à la nouvelle séance"),
        coerce=item_id,
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[InputRequired(_l("Choisissez au moins un point."))],
    )


class ItemForm(FlaskForm):
    title = StringField(_l("Titre du point"), validators=[InputRequired(REQUIRED), Length(max=500)])
    subject_code = StringField(_l("Code matière @ctes (par exemple 9.1)"), validators=[Optional(), Length(max=5)])
    committee_opinion = TextAreaField(_l("Avis de la commission"), validators=[Optional(), Length(max=5000)])
    rapporteur = SelectField(_l("Rapporteur"), coerce=int, default=NO_RAPPORTEUR)
    confidential = BooleanField(_l("Huis clos (visible des seuls membres et agents)"))


class StatusForm(FlaskForm):
    status = SelectField(_l("Nouvel état"), validators=[InputRequired(REQUIRED)])


class AttendanceForm(FlaskForm):
    answer = SelectField(_l("Ma réponse"), validators=[InputRequired(REQUIRED)])


class ProxyForm(FlaskForm):
    holder = SelectField(_l("Donner procuration à"), coerce=int, validators=[InputRequired(REQUIRED)])
    illness = BooleanField(_l("Pour maladie dûment constatée"))


class LinkAnswerForm(FlaskForm):
    """The answer given from the mail's signed link: the sitting page's choices in one form."""

    answer = SelectField(_l("Ma réponse"), validators=[InputRequired(REQUIRED)])
    holder = SelectField(_l("Collègue qui me représentera (procuration)"), coerce=int, default=NO_HOLDER)
    illness = BooleanField(_l("Pour maladie dûment constatée"))

    def validate_holder(self, field):
        if self.answer.data == AttendanceAnswer.PROXY.value and field.data == NO_HOLDER:
            raise ValidationError(_l("Choisissez le collègue qui vous représentera."))


class ActionForm(FlaskForm):
    """A button that changes something (move, withdraw, revoke): nothing but the CSRF token."""
