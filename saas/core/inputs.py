"""The input layer's bounds, each in one place: ids in paths, JSON bodies, and integers in schemas.

- Path ids: the app's ``int`` converter accepts only what fits an id column (PostgreSQL ``integer``), so an
  id out of range answers 404 exactly like a missing one, before any query.
- JSON bodies: every request with a JSON body is checked before its handler runs (whoever reads it later:
  flask-smorest/webargs, ``request.get_json``, a ``json_body`` helper): larger than ``MAX_JSON_KB`` → 413;
  nested deeper than ``MAX_JSON_DEPTH``, holding text that is not valid Unicode (a lone surrogate
  ``"\\ud800"``) or numbers JSON does not have (``NaN``, ``Infinity``, ``1e999``) → 400. Malformed JSON is
  left to its reader, which answers as it always has (400 from flask-smorest, 422 from ``json_body``).
- Integers in bodies: the schemas' ``Integer`` and ``Id`` fields refuse, as a 422 on the field, what does
  not fit the column the value goes to.
"""

import json
import math
import re

from flask import Flask, request
from flask_babel import gettext as _
from marshmallow import fields, validate
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

#: the largest value of a PostgreSQL ``integer`` column: every id, count and number of the schema
MAX_INTEGER = 2**31 - 1
#: the largest value of a PostgreSQL ``bigint`` column: amounts in cents, sizes in bytes
MAX_BIGINT = 2**63 - 1
#: JSON bodies: the API's largest (an annotation's ink strokes) is far below
MAX_JSON_KB = 1024
#: arrays and objects inside one another; the API's deepest (ink strokes in an annotation) is 4
MAX_JSON_DEPTH = 32


def up_to(maximum: int) -> str:
    """A regular expression of the integers from 1 to ``maximum``, written without leading zeros."""
    digits = str(maximum)
    shorter = [rf"[1-9]\d{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    same_length = []
    for position, digit in enumerate(digits):
        lowest = 1 if position == 0 else 0
        if int(digit) > lowest:
            rest = len(digits) - position - 1
            same_length.append(f"{digits[:position]}[{lowest}-{int(digit) - 1}]" + (rf"\d{{{rest}}}" if rest else ""))
    return "(?:" + "|".join([*shorter, *same_length, digits]) + ")"


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route: an integer from 1 to what an id column holds. The bound is in the
    converter's regular expression, so an id out of range matches no route and answers 404 for every method
    (a failed ``to_python`` would make Werkzeug answer 405 where a sibling rule takes another method).
    flask-smorest documents it as an integer with these bounds (it maps converters by class)."""

    def __init__(self, map, fixed_digits=0, min=1, max=MAX_INTEGER, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
        if not signed and min == 1:
            self.regex = up_to(max)


ID_PATTERN = re.compile(up_to(MAX_INTEGER))


def is_integer(value, minimum: int = 1, maximum: int = MAX_INTEGER) -> bool:
    """For a body checked by hand: ``value`` is a JSON integer (not a boolean) from ``minimum`` to ``maximum``
    (by default, what an id column holds)."""
    return isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= maximum


def parse_id(text: str) -> int:
    """An id (or a page number) from a form field or a query string, as ``request.args.get(…, type=parse_id)``
    takes it: ``ValueError`` unless it is an integer from 1 to what an id column holds."""
    if not ID_PATTERN.fullmatch(text.strip()):
        raise ValueError(f"not an id: {text[:20]!r}")
    return int(text)


class JSONRefused(BadRequest):
    """A JSON body the server will not parse; the message says why (the error handlers show it)."""


def _too_deep() -> JSONRefused:
    return JSONRefused(_("Le JSON envoyé est trop imbriqué (%(depth)d niveaux au plus).", depth=MAX_JSON_DEPTH))


def _not_unicode() -> JSONRefused:
    return JSONRefused(_("Le JSON envoyé contient du texte qui n'est pas de l'Unicode valide."))


def _not_a_json_number(text: str):
    raise JSONRefused(_("Le JSON envoyé contient un nombre que JSON ne connaît pas : %(text)s.", text=text[:20]))


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        _not_a_json_number(text)
    return number


def _check(value) -> None:
    """Depth and text of a parsed body, walked without recursion."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            if not item.isascii():
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    raise _not_unicode() from None
        elif isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise _too_deep()
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)


def load_json(data: bytes | str):
    """``data`` parsed as JSON within the bounds above. Malformed JSON raises ``ValueError`` (as ``json.loads``
    does, so each reader answers as it always has); a body out of bounds raises an HTTP error (413 or 400)."""
    if len(data) > MAX_JSON_KB * 1024:
        raise RequestEntityTooLarge(_("Le JSON envoyé dépasse %(size)d Ko.", size=MAX_JSON_KB))
    try:
        value = json.loads(data, parse_float=_finite, parse_constant=_not_a_json_number)
    except RecursionError:  # the C parser stops cleanly at the interpreter's recursion limit
        raise _too_deep() from None
    _check(value)
    return value


def check_json_body() -> None:
    """Refuse a hostile JSON body before any handler reads it; a malformed one is left to its reader."""
    if not request.is_json:
        return
    data = request.get_data(cache=True)
    if not data:
        return
    try:
        load_json(data)
    except ValueError:
        return


# --- Schema fields --------------------------------------------------------------------------------


class Integer(fields.Integer):
    """An integer that fits the column it goes to: PostgreSQL ``integer``, or ``bigint`` with
    ``maximum=MAX_BIGINT``. Bounds of the field's own (``validate=Range(…)``) narrow these."""

    default_error_messages = {"invalid": "Nombre entier attendu.", "too_large": "Nombre trop grand."}

    def __init__(self, *, maximum: int = MAX_INTEGER, **kwargs):
        own = kwargs.pop("validate", None)
        own = [] if own is None else [own] if callable(own) else list(own)
        bounds = validate.Range(min=-maximum - 1, max=maximum, error="Nombre hors limites ({min} à {max}).")
        super().__init__(validate=[bounds, *own], **kwargs)


class Id(Integer):
    """The id of a row: a positive integer that fits an id column."""

    def __init__(self, **kwargs):
        own = kwargs.pop("validate", None)
        own = [] if own is None else [own] if callable(own) else list(own)
        positive = validate.Range(min=1, error="Identifiant attendu (entier positif).")
        super().__init__(validate=[positive, *own], **kwargs)


def init_app(app: Flask) -> None:
    """Before the blueprints: their rules take the converter when they are added to the URL map."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(check_json_body)
