"""The absence form: from, to (both days in) and the colleague who acts meanwhile. The rules (dates in order,
a colleague of the collectivity, not oneself) are the operation's (``operations.delegate``)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import InputRequired

NO_DELEGATE = 0


def _person_id(value) -> int:
    """A chosen person's id; anything else is "nobody chosen" (a forged value is never a 500)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return NO_DELEGATE
    return number if 0 < number < 2**31 else NO_DELEGATE


class AbsenceForm(FlaskForm):
    starts_on = DateField(
        _l("Absent ou absente du"), validators=[InputRequired(_l("Indiquez le premier jour d'absence."))]
    )
    ends_on = DateField(_l("Au (inclus)"), validators=[InputRequired(_l("Indiquez le dernier jour d'absence."))])
    delegate = SelectField(_l("Mes tâches seront faites par"), coerce=_person_id, validate_choice=False)


class EndForm(FlaskForm):
    """The « Mettre fin » button: its CSRF token only."""
