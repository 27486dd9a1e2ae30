"""Helpers shared by routes: ETags and If-Match (R9), the acting principal."""

from flask import request

from ..auth import current_principal
from ..errors import PreconditionFailed, PreconditionRequired
from ..models import ID_MAX

# The converter of id path segments: an id no row can have is a 404, not a database error.
ID = f"int(min=1,max={ID_MAX})"


def etag(entity) -> dict:
    """Response headers carrying the entity's version as a strong ETag."""
    return {"ETag": f'"{entity.version}"'}


def check_if_match(entity, schema) -> None:
    """PATCH needs If-Match: the version the client saw, or `*` to overwrite on purpose."""
    if_match = request.if_match
    if not request.headers.get("If-Match"):
        raise PreconditionRequired("Send If-Match with the ETag you loaded (or * to overwrite).")
    if if_match.star_tag or if_match.contains(str(entity.version)):
        return
    raise PreconditionFailed(
        f"{type(entity).__name__} {entity.id} was changed by {entity.updated_by or 'someone'} "
        f"at {entity.updated_at.isoformat()}; you have an older version.",
        headers=etag(entity),
        current=schema.dump(entity),
        changed_by=entity.updated_by,
        changed_at=entity.updated_at.isoformat(),
    )


def actor() -> str:
    return current_principal().actor


IF_MATCH_DOC = {
    "parameters": [{"in": "header", "name": "If-Match", "required": True,
                    "schema": {"type": "string"},
                    "description": "The ETag you loaded, or * to overwrite on purpose"}],
}
