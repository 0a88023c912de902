"""Forms of the identity screens. Every form is a FlaskForm, so every POST carries a CSRF token."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from saas.identity.web import LOCALES

#: the same length rule as operations.set_password, checked here so the message is translated
PASSWORD_MIN = 12
CODE_RULE = Regexp(r"^\s*\d{3}\s?\d{3}\s*$", message=_l("Le code compte 6 chiffres."))
REQUIRED = DataRequired(message=_l("Ce champ est obligatoire."))
LOCALE_NAMES = {"fr": "Français", "en": "English"}


class LoginForm(FlaskForm):
    email = EmailField(_l("Adresse e-mail"), validators=[REQUIRED, Length(max=254)])
    password = PasswordField(_l("Mot de passe"), validators=[REQUIRED, Length(max=1000)])
    next = HiddenField()


class UnlockRequestForm(FlaskForm):
    """A locked-out person asks for an unlock link by mail (the same answer whether the account exists)."""

    email = EmailField(_l("Adresse e-mail"), validators=[REQUIRED, Length(max=254)])


class CodeForm(FlaskForm):
    """A 6-digit code of the authenticator app: second login step, enrolment, removal."""

    code = StringField(_l("Code à 6 chiffres"), validators=[REQUIRED, CODE_RULE])


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Nouveau mot de passe"),
        validators=[
            REQUIRED,
            Length(min=PASSWORD_MIN, message=_l("Le mot de passe doit compter au moins 12 caractères.")),
            Length(max=1000),
        ],
    )
    confirm = PasswordField(
        _l("Confirmez le mot de passe"),
        validators=[
            REQUIRED,
            EqualTo("password", message=_l("Les deux mots de passe ne sont pas identiques.")),
        ],
    )


class LocaleForm(FlaskForm):
    locale = SelectField(
        _l("Langue de l'interface"), choices=[SelectChoice(code, LOCALE_NAMES[code]) for code in LOCALES]
    )


class TokenForm(FlaskForm):
    name = StringField(
        _l("Nom du jeton (par exemple : Tablette)"),
        validators=[REQUIRED, Length(max=100, message=_l("100 caractères au plus."))],
    )


class ConfirmForm(FlaskForm):
    """A button-only form (logout, revoke): nothing but the CSRF token."""


class PrimaryTenantForm(FlaskForm):
    """The collectivity a person with mandates in several counts for in the purchasing group's cost sharing."""

    tenant = SelectField(_l("Collectivité principale (répartition des coûts du groupement)"), coerce=int)
