"""The forms of the minutes pages (Flask-WTF); what a form cannot check, ``saas.acts.minutes.operations``
refuses in French."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from saas.acts.minutes.operations import MAX_DEBATE

REQUIRED = _l("Ce champ est obligatoire.")


class ActionForm(FlaskForm):
    """A button that changes something (ready, back to draft, generate, send): nothing but the CSRF token."""


class DebateForm(FlaskForm):
    text = TextAreaField(
        _l("Teneur des débats"),
        validators=[Length(max=MAX_DEBATE)],
        description=_l("Ce qui a été dit sur ce point, repris dans le procès-verbal (article L2121-15 du CGCT)."),
    )


class OnlineForm(FlaskForm):
    online_on = DateField(_l("Mis en ligne le"), validators=[InputRequired(REQUIRED)])


class CouncillorForm(FlaskForm):
    full_name = StringField(_l("Nom"), validators=[InputRequired(REQUIRED), Length(max=200)])
    email = StringField(_l("Adresse électronique"), validators=[InputRequired(REQUIRED), Length(max=254)])
    commune = StringField(_l("Commune"), validators=[InputRequired(REQUIRED), Length(max=200)])


class ImportForm(FlaskForm):
    text = TextAreaField(
        _l("Liste à coller"),
        validators=[InputRequired(REQUIRED), Length(max=400_000)],
        description=_l("Une ligne par conseiller : Nom;adresse électronique;commune."),
    )
