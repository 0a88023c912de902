"""The forms of the report pages and of the services' admin page (Flask-WTF). What the form cannot check
itself (the subject code's pattern, a sitting of another assembly…) ``saas.reports.operations`` refuses, and
the page shows the French message under its field (``show_on``)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

REQUIRED = _l("Ce champ est obligatoire.")
#: the "none" choice of an optional select
NO_CHOICE = 0


class ActionForm(FlaskForm):
    """A button that changes something (submit): nothing but the CSRF token."""


class SigningForm(FlaskForm):
    """Put a report's adopted act into a circuit for acts to sign: which circuit, when there are several."""

    definition = SelectField(_l("Circuit de signature"), coerce=int, validators=[InputRequired(REQUIRED)])


def signing_form(circuits, **kwargs) -> SigningForm:
    form = SigningForm(**kwargs)
    form.definition.choices = [(circuit.id, circuit.name) for circuit in circuits]
    return form


class ReportForm(FlaskForm):
    service = SelectField(_l("Service"), coerce=int, validators=[InputRequired(REQUIRED)])
    title = StringField(_l("Objet du rapport"), validators=[InputRequired(REQUIRED), Length(max=499)])
    subject_code = StringField(_l("Code matière @ctes"), validators=[InputRequired(REQUIRED), Length(max=5)])
    rapporteur = SelectField(_l("Rapporteur (facultatif)"), coerce=int, validators=[Optional()])
    assembly = SelectField(_l("Assemblée visée"), coerce=int, validators=[InputRequired(REQUIRED)])
    sitting = SelectField(_l("Séance visée (facultative)"), coerce=int, validators=[Optional()])


class EditReportForm(ReportForm):
    """A report's service stays the one it was drafted in."""

    service = None


class UrgentForm(FlaskForm):
    reason = TextAreaField(
        _l("Motif de l'urgence"),
        validators=[InputRequired(_l("Indiquez le motif de l'urgence.")), Length(max=5000)],
    )


class ServiceForm(FlaskForm):
    name = StringField(_l("Nom du service"), validators=[InputRequired(REQUIRED), Length(max=200)])
    head = SelectField(_l("Chef de service (facultatif)"), coerce=int, validators=[Optional()])


class HeadForm(FlaskForm):
    head = SelectField(_l("Chef de service"), coerce=int, validators=[Optional()])


class DrafterForm(FlaskForm):
    person = SelectField(_l("Donner le droit de rédiger à"), coerce=int, validators=[InputRequired(REQUIRED)])
