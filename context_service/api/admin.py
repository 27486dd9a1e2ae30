"""Administration (R18): API keys and their webhooks (R16), agents, tokens, the audit trail."""

from flask.views import MethodView

from ..auth import roles
from ..domain import agents as agents_domain
from ..domain import audit, webhooks
from ..extensions import db
from ..schemas import (
    AgentCreateSchema,
    AgentPatchSchema,
    AgentSchema,
    AgentTokenSchema,
    ApiKeyCreatedSchema,
    ApiKeyCreateSchema,
    ApiKeyPatchSchema,
    ApiKeySchema,
    AuditEntrySchema,
    AuditQueryArgsSchema,
    TokenSchema,
    WebhookCreatedSchema,
    WebhookSchema,
    WebhookSetSchema,
)
from .common import ID, Blueprint, actor

blp = Blueprint("admin", __name__, url_prefix="/api/v1/admin", description="Administration")


@blp.route("/api-keys")
class ApiKeyViews(MethodView):
    @roles("admin")
    @blp.response(200, ApiKeySchema(many=True))
    def get(self):
        """List API keys (never their tokens)."""
        return agents_domain.list_keys(db.session)

    @roles("admin")
    @blp.arguments(ApiKeyCreateSchema)
    @blp.response(201, ApiKeyCreatedSchema)
    def post(self, data):
        """Create an API key; its token is shown this once."""
        row, token = agents_domain.create_key(db.session, data["name"], data["role"], actor(),
                                              data.get("shared_sources", []))
        db.session.commit()
        row.token = token  # transient: answered once, never stored
        return row, 201


@blp.route(f"/api-keys/<{ID}:key_id>")
class ApiKeyByIdViews(MethodView):
    @roles("admin")
    @blp.arguments(ApiKeyPatchSchema)
    @blp.response(200, ApiKeySchema)
    def patch(self, data, key_id):
        """Let a connector key act on every contact of these sources (or none: [])."""
        row = agents_domain.share_sources(db.session, key_id, data["shared_sources"], actor())
        db.session.commit()
        return row

    @roles("admin")
    @blp.response(204)
    def delete(self, key_id):
        """Revoke an API key."""
        agents_domain.revoke_key(db.session, key_id, actor())
        db.session.commit()


@blp.route(f"/api-keys/<{ID}:key_id>/webhook")
class ApiKeyWebhookViews(MethodView):
    @roles("admin")
    @blp.response(200, WebhookSchema)
    def get(self, key_id):
        """A connector key's webhook (never its secret)."""
        return webhooks.get(db.session, key_id)

    @roles("admin")
    @blp.arguments(WebhookSetSchema)
    @blp.response(200, WebhookCreatedSchema)
    def put(self, data, key_id):
        """Set a connector key's webhook, with a new signing secret shown this once (R16)."""
        answer = webhooks.put(db.session, key_id, data["url"], actor())
        db.session.commit()
        return answer

    @roles("admin")
    @blp.response(204)
    def delete(self, key_id):
        """Remove the webhook: later replies are kept for the connector to GET."""
        webhooks.delete(db.session, key_id, actor())
        db.session.commit()


@blp.route("/agents")
class AgentViews(MethodView):
    @roles("admin")
    @blp.response(200, AgentSchema(many=True))
    def get(self):
        """List agents."""
        return agents_domain.list_agents(db.session)

    @roles("admin")
    @blp.arguments(AgentCreateSchema)
    @blp.response(201, AgentSchema)
    def post(self, data):
        """Create an agent (with a password for standalone sign-in)."""
        agent = agents_domain.create_agent(db.session, data, actor())
        db.session.commit()
        return agent, 201


@blp.route("/agents/<string:agent_id>")
class AgentByIdViews(MethodView):
    @roles("admin")
    @blp.arguments(AgentPatchSchema)
    @blp.response(200, AgentSchema)
    def patch(self, data, agent_id):
        """Rename an agent, set its password, or disable it (its sessions end) or enable it."""
        agent = agents_domain.update_agent(db.session, agent_id, data, actor())
        db.session.commit()
        return agent

    @roles("admin")
    @blp.response(204)
    def delete(self, agent_id):
        """Remove an agent and its sessions (refused while it handles routed tasks)."""
        agents_domain.delete_agent(db.session, agent_id, actor())
        db.session.commit()


@blp.route("/agents/<string:agent_id>/tokens")
class AgentTokenViews(MethodView):
    @roles("admin")
    @blp.response(200, AgentTokenSchema(many=True))
    def get(self, agent_id):
        """The agent's tokens (its sessions), newest first; never their secrets."""
        return agents_domain.agent_tokens(db.session, agent_id)

    @roles("admin")
    @blp.response(201, TokenSchema)
    def post(self, agent_id):
        """Issue a token for an agent (for a host desktop or a test)."""
        token, expires_at = agents_domain.issue_agent_token(db.session, agent_id, actor())
        db.session.commit()
        return {"token": token, "expires_at": expires_at}, 201

    @roles("admin")
    @blp.response(204)
    def delete(self, agent_id):
        """End all the agent's sessions: its streams close within seconds."""
        agents_domain.revoke_agent_tokens(db.session, agent_id, actor())
        db.session.commit()


@blp.route(f"/agents/<string:agent_id>/tokens/<{ID}:token_id>")
class AgentTokenByIdViews(MethodView):
    @roles("admin")
    @blp.response(204)
    def delete(self, agent_id, token_id):
        """End one session of the agent."""
        agents_domain.revoke_agent_tokens(db.session, agent_id, actor(), token_id)
        db.session.commit()


@blp.route("/audit")
class AuditViews(MethodView):
    @roles("admin")
    @blp.arguments(AuditQueryArgsSchema, location="query")
    @blp.response(200, AuditEntrySchema(many=True))
    @blp.paginate(page_size=100, max_page_size=500)
    def get(self, args, pagination_parameters):
        """Who changed what and when, newest first."""
        page, pagination_parameters.item_count = audit.entries(
            db.session, args, pagination_parameters.first_item, pagination_parameters.page_size)
        return page
