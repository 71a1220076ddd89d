"""Schema building blocks shared by every feature: strict types, unknown fields refused."""

from __future__ import annotations

import numbers

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate


class StrictSchema(Schema):
    """Unknown fields are an error, not silently dropped; text no database can store is refused."""

    class Meta:
        unknown = RAISE

    @pre_load
    def _refuse_unencodable_text(self, data, **kwargs):
        # JSON's "\ud800" escape decodes to a lone surrogate: Python holds it, but neither SQLite
        # nor PostgreSQL can store it (and no mail header can carry it), so it is bad input here,
        # named by its field, instead of a failed write. Nested schemas check their own fields.
        if isinstance(data, dict):
            by_key = {f.data_key or name: f for name, f in self.load_fields.items()}
            bad = {key: ["Not valid text: it holds a lone UTF-16 surrogate, which is no character."]
                   for key, value in data.items()
                   if not _nested(by_key.get(key)) and _holds_unencodable(value)}
            if bad:
                raise ValidationError(bad)
        return data


def _nested(field) -> bool:
    """A field whose own schema checks its text, so that the error names the inner field."""
    if isinstance(field, fields.List):
        field = field.inner
    return isinstance(field, fields.Nested)


def _holds_unencodable(value) -> bool:
    if isinstance(value, str):
        if value.isascii():
            return False
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_holds_unencodable(k) or _holds_unencodable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_unencodable(v) for v in value)
    return False


class StrictInteger(fields.Integer):
    """An integer that refuses `"5"`, `5.0` and `true` (bool is an int in Python)."""

    default_error_messages = {"invalid": "Not a valid integer."}

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _validated(self, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise self.make_error("invalid")
        return super()._validated(value)


class Money(fields.Decimal):
    """A non-negative amount with two decimals, given as a JSON number or a decimal string, and
    answered as a decimal string ("49.90"), so that no client reads it into a binary float.
    `dump_only=True` for a field that only answers."""

    default_error_messages = {"invalid": "Not a valid amount."}

    def __init__(self, **kwargs):
        kwargs.setdefault("validate", validate.Range(min=0))
        super().__init__(places=2, as_string=True, allow_nan=False, **kwargs)
        self.metadata = {**self._openapi(), **self.metadata}

    def _openapi(self) -> dict:
        """How the OpenAPI document shows the field: apispec would call it a number, with its
        bounds written as strings."""
        ranges = [v for v in self.validators if isinstance(v, validate.Range)]
        low = next((r.min for r in ranges if r.min is not None), None)
        high = next((r.max for r in ranges if r.max is not None), None)
        whole = f"{{1,{len(str(int(high)))}}}" if high is not None else "+"
        types = ["string"] if self.dump_only else ["string", "number"]
        doc = {"type": types,  # apispec adds "null" where None is allowed
               "pattern": rf"^[0-9]{whole}(\.[0-9]{{1,2}})?$", "examples": ["49.90"],
               "description": "An amount with two decimals, answered as a string"
                              + ("" if self.dump_only else "; send a string or a number")}
        for name, bound in (("minimum", low), ("maximum", high)):
            if bound is not None:
                doc[name] = int(bound) if bound == int(bound) else float(bound)
        return doc

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class CursorPage(StrictSchema):
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 100))


class StrictBoolean(fields.Boolean):
    """Only JSON `true` and `false`: not `1`, `"yes"` or `"true"`."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


def text(max_len: int, **kwargs) -> fields.String:
    """A string field with a length cap."""
    return fields.String(validate=validate.Length(max=max_len), **kwargs)
