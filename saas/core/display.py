"""One way to show dates, times and amounts: in the collectivity's time zone and the reader's language.

Flask-Babel chooses the language (``web.select_locale``) and the time zone (``select_time_zone``: the
collectivity named in the URL, else Europe/Paris); Babel formats. The functions below are the Jinja
filters of the web pages (registered once, in ``init_app``) and of the printable documents
(``documents_filters``), and what Python code calls when it writes for people (mails, messages, the
signature stamp). A page across collectivities (the signature book, the group console) passes each row's
collectivity (``tenant=``), so every row is shown in its own zone. Times are kept in UTC everywhere else.

Format names are CLDR's (``short``: 15/01/2026 06:57, ``medium``, ``long``, ``full``), except three the
house defines for every language, in ``PATTERNS``: ``datetime.full`` is the sentence form of a sitting
("jeudi 15 janvier 2026 à 18h00"), ``datetime.long`` the legal form with seconds and the UTC offset
("15/01/2026 06:57:00 UTC+01:00"), ``time.short`` the time of day of a sitting ("18h00").
"""

import functools
from datetime import date, datetime, time, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

import flask_babel
from babel import Locale, dates, numbers
from flask import Flask, g, has_app_context, has_request_context

DEFAULT_TIME_ZONE = "Europe/Paris"
#: printable documents, mails and audit texts are French whatever the reader's interface language
DOCUMENT_LOCALE = "fr"
PATTERNS = {
    "fr": {
        "datetime.full": "EEEE d MMMM y 'à' HH'h'mm",
        "datetime.long": "dd/MM/y HH:mm:ss ZZZZ",
        "time.short": "HH'h'mm",
    },
    "en": {
        "datetime.full": "EEEE d MMMM y 'at' HH:mm",
        "datetime.long": "dd/MM/y HH:mm:ss ZZZZ",
    },
}


def select_time_zone() -> str | None:
    """Flask-Babel's time zone: the collectivity of the URL (None: BABEL_DEFAULT_TIMEZONE, Europe/Paris)."""
    tenant = g.get("tenant")
    return tenant.timezone if tenant is not None else None


def time_zone(tenant=None) -> tzinfo:
    """The zone of ``tenant`` (a collectivity, a zone name or a tzinfo); without one, Flask-Babel's."""
    if isinstance(tenant, tzinfo):
        return tenant
    if isinstance(tenant, str):
        return ZoneInfo(tenant)
    if tenant is not None:
        return ZoneInfo(tenant.timezone or DEFAULT_TIME_ZONE)
    if has_app_context():
        return flask_babel.get_timezone()
    return ZoneInfo(DEFAULT_TIME_ZONE)


def _locale(locale: str | Locale | None) -> Locale:
    if locale is not None:
        return Locale.parse(locale)
    if has_request_context():
        return flask_babel.get_locale()
    return Locale.parse(DOCUMENT_LOCALE)


def _pattern(kind: str, format: str, locale: Locale) -> str:
    return PATTERNS.get(locale.language, {}).get(f"{kind}.{format}", format)


def local(moment: datetime, tenant=None) -> datetime:
    """``moment`` (aware, as every datetime Quorum keeps) in the zone of ``tenant``."""
    return moment.astimezone(time_zone(tenant))


def format_datetime(moment: datetime | None, format: str = "short", tenant=None, locale=None) -> str:
    """A date and time in the zone of ``tenant``: ``short`` 15/01/2026 06:57, ``full``, ``long``…"""
    if moment is None:
        return ""
    language = _locale(locale)
    return dates.format_datetime(
        moment, _pattern("datetime", format, language), tzinfo=time_zone(tenant), locale=language
    )


def format_date(value: date | datetime | None, format: str = "short", tenant=None, locale=None) -> str:
    """A day (a datetime is first put in the zone of ``tenant``): ``short`` 15/01/2026, ``full``…"""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value, tenant).date()
    language = _locale(locale)
    return dates.format_date(value, _pattern("date", format, language), locale=language)


def format_time(value: datetime | time | None, format: str = "short", tenant=None, locale=None) -> str:
    """A time of day in the zone of ``tenant``: ``short`` 18h00 in French, 6:00 PM in English."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value, tenant).timetz().replace(tzinfo=None)
    language = _locale(locale)
    return dates.format_time(value, _pattern("time", format, language), locale=language)


def format_decimal(number, format: str | None = None, locale=None) -> str:
    """A number with the language's separators: 54 321,5 (U+202F between thousands in French)."""
    return numbers.format_decimal(number, format=format, locale=_locale(locale))


def format_currency(amount, currency: str = "EUR", locale=None) -> str:
    """An amount of money: 54 321,00 €."""
    return numbers.format_currency(amount, currency, locale=_locale(locale))


def format_cents(cents: int | None, currency: str = "EUR", locale=None) -> str:
    """An amount kept in cents (an integer, never a float): 5432100 → 54 321,00 €."""
    if cents is None:
        return ""
    return format_currency(Decimal(cents).scaleb(-2), currency, locale)


def format_size(size: int, locale=None) -> str:
    """A file size: 12,2 Ko, 3,4 Mo."""
    for factor, unit in ((1024**3, "Go"), (1024**2, "Mo"), (1024, "Ko")):
        if size >= factor:
            return f"{format_decimal(round(size / factor, 1), '0.0', locale)} {unit}"
    return f"{format_decimal(size, locale=locale)} o"


FILTERS = {
    "datetime": format_datetime,
    "date": format_date,
    "time": format_time,
    "decimal": format_decimal,
    "currency": format_currency,
    "cents": format_cents,
    "filesize": format_size,
}


def documents_filters() -> dict:
    """The same filters for templates/documents/, always in French (a document is the same for everyone)."""
    return {name: functools.partial(function, locale=DOCUMENT_LOCALE) for name, function in FILTERS.items()}


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(FILTERS)
