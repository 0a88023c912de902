"""The forms of the act pages (Flask-WTF); what a form cannot check, ``saas.acts.operations`` refuses in French."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length

REQUIRED = _l("Ce champ est obligatoire.")


class ActionForm(FlaskForm):
    """A button that changes something (put to signature): nothing but the CSRF token."""


class CorrectionForm(FlaskForm):
    reason = TextAreaField(
        _l("Motif de la correction"),
        validators=[InputRequired(REQUIRED), Length(max=2000)],
        description=_l(
            "Repris dans l'acte rectificatif, qui prend un nouveau numéro ; la délibération reste telle quelle."
        ),
    )
