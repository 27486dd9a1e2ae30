"""REST API blueprints, registered in this order (the OpenAPI document follows it)."""

from . import (
    activities,
    admin,
    auth,
    customers,
    events,
    fields,
    health,
    imports,
    me,
    merges,
    presence,
    requests,
    tasks,
)

BLUEPRINTS = (
    health.blp,
    auth.blp,
    events.blp,
    customers.blp,
    merges.blp,
    requests.blp,
    activities.blp,
    me.blp,
    tasks.blp,
    admin.blp,
    fields.blp,
    imports.blp,
    presence.blp,
)
