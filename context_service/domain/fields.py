"""Typed custom fields (issue 14): admins define them, the API checks values by them.

A definition names a key of a customer's or request's `extra` object, its labels per
language, its type (string, number, date, boolean, choice with options), whether it is
required and, for strings, a maximum length. Values are checked whenever `extra` is
written through the API or an import; a 422 names each field (`extra.<key>`). Keys that
no definition names stay as they were before fields could be defined: stored and shown
untyped. Deleting a definition leaves its values in place, untyped again.

Required fields are required of what people create and edit: a request R2 opens by itself
for an incoming contact has no one to fill them in, and is not refused.
"""

import math
import re
from datetime import date

import sqlalchemy as sa

from ..errors import Conflict, NotFound, Unprocessable
from ..models import FieldDefinition, utcnow
from . import audit

KEY_PATTERN = r"^[a-z][a-z0-9_]{0,99}$"
TEXT_MAX = 2000
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def definitions(session, entity: str | None = None) -> list[FieldDefinition]:
    stmt = sa.select(FieldDefinition).order_by(FieldDefinition.entity, FieldDefinition.key)
    if entity:
        stmt = stmt.where(FieldDefinition.entity == entity)
    return list(session.scalars(stmt))


def by_key(session, entity: str) -> dict[str, FieldDefinition]:
    return {d.key: d for d in definitions(session, entity)}


def get(session, field_id: int) -> FieldDefinition:
    definition = session.get(FieldDefinition, field_id)
    if definition is None:
        raise NotFound(f"Field {field_id} does not exist.")
    return definition


def _shape_errors(type_: str, options: list | None, max_length: int | None) -> dict:
    errors = {}
    if type_ == "choice":
        if not options:
            errors["options"] = ["A choice field needs its options."]
        elif len(set(options)) != len(options):
            errors["options"] = ["Each option once."]
    elif options:
        errors["options"] = ["Only choice fields have options."]
    if max_length is not None and type_ != "string":
        errors["max_length"] = ["Only string fields have a maximum length."]
    return errors


def create(session, data: dict, actor: str) -> FieldDefinition:
    errors = _shape_errors(data["type"], data.get("options"), data.get("max_length"))
    if errors:
        raise Unprocessable("Invalid fields: " + ", ".join(sorted(errors)), errors=errors)
    if session.scalar(sa.select(FieldDefinition.id).where(
            FieldDefinition.entity == data["entity"], FieldDefinition.key == data["key"])):
        raise Conflict(f"A {data['entity']} field {data['key']!r} exists already.")
    definition = FieldDefinition(entity=data["entity"], key=data["key"], type=data["type"],
                                 labels=data.get("labels", {}),
                                 options=data.get("options") or [],
                                 required=data.get("required", False),
                                 max_length=data.get("max_length"), updated_by=actor)
    session.add(definition)
    session.flush()
    audit.add(session, actor, "field", definition.id, "create", definition.version,
              {k: getattr(definition, k) for k in ("entity", "key", "type", "labels",
                                                   "options", "required", "max_length")})
    return definition


def update(session, definition: FieldDefinition, data: dict, actor: str) -> FieldDefinition:
    """Labels, options, required and max_length change; entity, key and type do not (stored
    values were checked against the type)."""
    merged = {k: data.get(k, getattr(definition, k)) for k in ("options", "max_length")}
    errors = _shape_errors(definition.type, merged["options"], merged["max_length"])
    if errors:
        raise Unprocessable("Invalid fields: " + ", ".join(sorted(errors)), errors=errors)
    changes = {k: [getattr(definition, k), v] for k, v in data.items()
               if getattr(definition, k) != v}
    if changes:
        for k, v in data.items():
            setattr(definition, k, v)
        definition.updated_at, definition.updated_by = utcnow(), actor
        session.flush()
        audit.add(session, actor, "field", definition.id, "update", definition.version, changes)
    return definition


def delete(session, definition: FieldDefinition, actor: str) -> None:
    session.delete(definition)
    audit.add(session, actor, "field", definition.id, "delete", None,
              {"entity": definition.entity, "key": definition.key})


def value_error(definition: FieldDefinition, value) -> str | None:
    """Why `value` does not fit the definition, or None. null is no value."""
    kind = definition.type
    if value is None:
        return "Required." if definition.required else None
    if kind in ("string", "date", "choice") and not isinstance(value, str):
        return "Not a string."
    if kind == "string":
        most = definition.max_length or TEXT_MAX
        return f"Longer than {most} characters." if len(value) > most else None
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "Not a number."
        return None if math.isfinite(value) else "Not a finite number."
    if kind == "boolean":
        return None if isinstance(value, bool) else "Not true or false."
    if kind == "date":
        try:
            if DATE_PATTERN.match(value):
                date.fromisoformat(value)
                return None
        except ValueError:
            pass
        return "Not a date (YYYY-MM-DD)."
    if kind == "choice":
        return None if value in definition.options else (
            "Not one of: " + ", ".join(definition.options) + ".")
    return None


def errors_of(defined: dict[str, FieldDefinition], extra: dict | None,
              creating: bool) -> dict[str, list[str]]:
    """{"extra.<key>": [message]} for every value that breaks its definition; with
    `creating`, required fields must be there."""
    errors = {}
    extra = extra or {}
    for key, definition in defined.items():
        if key in extra:
            problem = value_error(definition, extra[key])
        elif creating and definition.required:
            problem = "Required."
        else:
            continue
        if problem:
            errors[f"extra.{key}"] = [problem]
    return errors


def check(session, entity: str, extra: dict | None, creating: bool) -> None:
    """422 naming each custom field whose value breaks its definition. Required fields are
    checked on creation and whenever `extra` is written (it is replaced as a whole)."""
    if extra is None and not creating:
        return
    errors = errors_of(by_key(session, entity), extra, True)
    if errors:
        raise Unprocessable("Invalid custom fields: " + ", ".join(sorted(errors)),
                            errors=errors)


def parse(definition: FieldDefinition, raw: str):
    """A value as typed in a query string or a CSV cell, in the field's type; ValueError
    says why it cannot be one."""
    raw = raw.strip()
    if definition.type == "number":
        try:
            value = float(raw)
        except ValueError:
            raise ValueError("Not a number.") from None
        if not math.isfinite(value):
            raise ValueError("Not a finite number.")
        return int(value) if value.is_integer() and "." not in raw and "e" not in raw.lower() \
            else value
    if definition.type == "boolean":
        if raw.lower() in ("true", "yes", "1"):
            return True
        if raw.lower() in ("false", "no", "0"):
            return False
        raise ValueError("Not true or false.")
    problem = value_error(definition, raw)
    if problem:
        raise ValueError(problem)
    return raw


def filter_condition(session, entity: str, column, key: str, raw: str):
    """SQL condition: the `extra` column's field `key` equals `raw` read in its type."""
    definition = by_key(session, entity).get(key)
    if definition is None:
        raise Unprocessable(f"No {entity} field {key!r} is defined.",
                            errors={"field": ["Not a defined field."]})
    try:
        value = parse(definition, raw)
    except ValueError as exc:
        raise Unprocessable(f"Invalid field value for {key!r}: {exc}",
                            errors={"value": [str(exc)]}) from None
    element = column[key]
    if definition.type == "number":
        return element.as_float() == float(value)
    if definition.type == "boolean":
        return element.as_boolean() == value
    return element.as_string() == value

