"""The forms of the register page (Flask-WTF); ``saas.acts.register.operations`` refuses the rest in French."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from saas.acts.register.operations import FIRST_YEAR, LAST_YEAR


class ActionForm(FlaskForm):
    """Export one sitting: nothing but the CSRF token."""


class YearForm(FlaskForm):
    year = IntegerField(
        _l("Année"),
        validators=[
            InputRequired(_l("Indiquez l'année.")),
            NumberRange(FIRST_YEAR, LAST_YEAR, _l("Choisissez une année entre %(min)s et %(max)s.")),
        ],
    )
