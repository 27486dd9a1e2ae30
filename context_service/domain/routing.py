"""Care desktop routing (R13-R15): agent state, the queue, offers with a deadline, accepting.

Routing stays right with any number of processes, without a lock around every change:

1. A change first locks the rows it changes, agent before task before activity (FOR NO
   KEY UPDATE on PostgreSQL; SQLite serialises writers anyway), and does its work
   (activity, request, Open list, audit) while other changes go on beside it.
2. Just before commit (`_settle`, a before_commit hook) it offers waiting tasks to free
   agents, looking only at what it touched: the agents it freed, the media of the tasks
   it queued or handed back. Offering claims each agent and task row FOR NO KEY UPDATE
   SKIP LOCKED, so it never waits, and reads the claimed agents' offers and room again
   after claiming: an agent is offered work only by whoever holds its row, so no agent
   holds two offers (a partial unique index says so too) or more than its room, and a
   task is offered by whoever holds its row, once.
3. A change that settled offers wakes its process's router job, which looks once more
   (`idle_work`, then `dispatch`) after the commit: two changes that crossed (a task
   queued while an agent was freed elsewhere, each not yet seeing the other) or a row one
   of them skipped are matched by whichever commits last.

Offer deadlines are stored: each process's router job expires them (`expire_offers`),
and an Accept after the deadline is refused even before that.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, has_app_context

from .. import background, metrics, push
from ..errors import Conflict, NotFound
from ..models import ROUTED_MEDIA, Agent, Customer, Message, OpenEntry, Task, utcnow
from . import activities as activities_domain
from . import audit, pages
from . import requests as requests_domain

ROUTER = "system:router"
MISSED_OFFER = "missed_offer"  # the Not Ready reason after an offer timed out (R13)
HOLDING = ("offered", "active")  # task statuses that take up an agent's room
OPEN = ("waiting", "offered", "active")


def _claim(stmt, skip_locked: bool = False):
    """Lock the rows read (agents or tasks, not the activities joined to tasks), as they
    are now: others change them only after this transaction ends."""
    entity = stmt.column_descriptions[0]["entity"]
    return stmt.with_for_update(of=entity, key_share=True, skip_locked=skip_locked) \
        .execution_options(populate_existing=True)


def _touched(session, agents=(), media=()) -> None:
    """Note what this change freed or queued: its commit offers work to exactly those."""
    touched = session.info.setdefault("routing", {"agents": set(), "media": set()})
    touched["agents"].update(agents)
    touched["media"].update(media)


def _settle(session) -> None:
    """before_commit: offer what this transaction's changes made possible."""
    if session.in_nested_transaction():
        return
    touched = session.info.pop("routing", None)
    if touched is None or not (touched["agents"] or touched["media"]):
        return
    agents, media = touched["agents"], touched["media"]
    # Freed agents may take any media; queued tasks may go to any free agent.
    dispatch(session, agent_ids=None if media else agents, media=None if agents else media)
    session.info["routing_settled"] = True


def _settled(session) -> None:
    """after_commit: the router job looks once more (crossed changes, skipped rows)."""
    if session.info.pop("routing_settled", False) and has_app_context():
        background.wake(current_app, "router")


def _forget(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop("routing", None)
        session.info.pop("routing_settled", None)


def listen(factory) -> None:
    """Settle routing before commit, ahead of the push bus (which sends what it offered)."""
    sa.event.listen(factory, "before_commit", _settle, insert=True)
    sa.event.listen(factory, "after_commit", _settled)
    sa.event.listen(factory, "after_soft_rollback", _forget)


def _fresh(stmt):
    """Rows as they are now: objects loaded before the lock was taken may be stale."""
    return stmt.execution_options(populate_existing=True)


# --- room (R15) ---------------------------------------------------------------------------

def capacity() -> dict[str, int]:
    """Tasks of each media an agent handles at once: one call (R15), a few chats and emails."""
    config = current_app.config
    return {"voice": 1, "chat": config["CHAT_CAPACITY"], "email": config["EMAIL_CAPACITY"]}


def load(session, agent_ids) -> dict[str, dict[str, int]]:
    """Each agent's offered and active tasks, by media type."""
    counts = {agent_id: dict.fromkeys(ROUTED_MEDIA, 0) for agent_id in agent_ids}
    rows = session.execute(
        sa.select(Task.agent_id, Task.media_type, sa.func.count())
        .where(Task.agent_id.in_(list(agent_ids)), Task.status.in_(HOLDING))
        .group_by(Task.agent_id, Task.media_type)
    )
    for agent_id, media, n in rows:
        counts[agent_id][media] = n
    return counts


def _room(session, agent_ids) -> dict[str, dict[str, int]]:
    limits = capacity()
    return {agent_id: {media: limits[media] - n for media, n in held.items()}
            for agent_id, held in load(session, agent_ids).items()}


# --- agent state (R13) --------------------------------------------------------------------

def get_agent(session, agent_id: str, claim: bool = False) -> Agent:
    """The agent as it is now; with `claim`, its row locked for this transaction."""
    stmt = sa.select(Agent).where(Agent.id == agent_id)
    agent = session.scalar(_claim(stmt) if claim else _fresh(stmt))
    if agent is None:
        raise NotFound(f"Agent {agent_id!r} does not exist.")
    return agent


def pending_offer(session, agent_id: str, claim: bool = False) -> Task | None:
    stmt = sa.select(Task).where(Task.agent_id == agent_id, Task.status == "offered")
    return session.scalar(_claim(stmt) if claim else _fresh(stmt))


def set_state(session, agent_id: str, state: str, reason: str | None, actor: str) -> Agent:
    """Ready agents are offered tasks; going Not Ready hands a pending offer back."""
    agent = get_agent(session, agent_id, claim=True)
    _change_state(session, agent, state, reason if state == "not_ready" else None, actor,
                  utcnow())
    if agent.state == "ready":
        _touched(session, agents=[agent.id])
    return agent


def _change_state(session, agent: Agent, state: str, reason: str | None, actor: str,
                  now: datetime) -> None:
    """Call with the agent's row claimed: no offer reaches it meanwhile."""
    before = (agent.state, agent.state_reason)
    if before == (state, reason):
        return
    if state == "ready" and agent.state != "ready":
        agent.idle_since = now
    agent.state, agent.state_reason, agent.state_changed_at = state, reason, now
    audit.add(session, actor, "agent", agent.id, "state",
              changes={"state": [before[0], state], "reason": [before[1], reason]})
    push.emit(session, {"type": "state.changed", "id": agent.id, "agent_id": agent.id,
                        "state": state, "reason": reason, "changed_at": now.isoformat()})
    if state == "not_ready" and (offer := pending_offer(session, agent.id, claim=True)):
        _release(session, offer, "withdrawn", actor, now)


def state_view(session, agent: Agent) -> dict:
    """What the agent's state switch shows: state, room, the offer on hand, the reasons."""
    offer = pending_offer(session, agent.id)
    return {
        "agent_id": agent.id, "state": agent.state, "reason": agent.state_reason,
        "changed_at": agent.state_changed_at, "idle_since": agent.idle_since,
        "capacity": capacity(), "load": load(session, [agent.id])[agent.id],
        "reasons": current_app.config["NOT_READY_REASONS"],
        "offer": with_previews(session, [offer])[0] if offer else None,
    }


# --- announcing -------------------------------------------------------------------------

def _announce(session, task: Task, kind: str, agent_id: str, **extra) -> None:
    """Tell one agent about one of its tasks (several per task may go out in a transaction)."""
    push.emit(session, {"type": kind, "id": task.id, "agent_id": agent_id,
                        "status": task.status, **extra}, key=(kind, task.id, agent_id))


def _queue_changed(session) -> None:
    push.emit(session, {"type": "queue.changed", "id": 0})


# --- the queue and offers (R13, R14) ----------------------------------------------------

def get(session, task_id: int) -> Task:
    task = session.scalar(_fresh(sa.select(Task).where(Task.id == task_id)))
    if task is None:
        raise NotFound(f"Task {task_id} does not exist.")
    return task


def task_of(session, activity_id: int, statuses=OPEN) -> Task | None:
    return session.scalar(_fresh(
        sa.select(Task).where(Task.activity_id == activity_id, Task.status.in_(statuses))))


def enqueue(session, activity, queue: str, at: datetime, actor: str) -> Task:
    """A queued contact waits for an agent; `at` is when the customer began to wait.

    Call with the activity's row locked (its events apply one at a time).
    """
    existing = session.scalar(_fresh(sa.select(Task).where(Task.activity_id == activity.id)))
    if existing is not None:
        raise Conflict(f"Contact {activity.contact_id!r} was already queued (task {existing.id}).")
    if activity.state in ("active", "ended"):
        raise Conflict(f"Contact {activity.contact_id!r} is {activity.state}; it cannot be queued.")
    activity.state = "queued"
    task = Task(activity=activity, queue=queue, media_type=activity.media_type, queued_at=at)
    session.add(task)
    session.flush()
    audit.add(session, actor, "task", task.id, "queue",
              changes={"queue": queue, "activity_id": activity.id})
    _queue_changed(session)
    _touched(session, media=[task.media_type])
    return task


def dispatch(session, now: datetime | None = None, agent_ids=None, media=None) -> int:
    """Offer waiting tasks, oldest first, each to the Ready agent idle longest with room for it.

    An agent holds one pending offer at a time. `agent_ids` and `media` narrow the look to
    the agents and media a change touched (None: all). Agents and tasks another
    transaction holds are skipped (it settles them itself). Returns how many offers were
    made.
    """
    session.flush()  # earlier changes first: they may free an agent or a task
    now = now or utcnow()
    holding_offer = sa.exists().where(Task.agent_id == Agent.id, Task.status == "offered")
    # Ids only: an offer changes the task, never the agent, and loading up to every Ready
    # agent as an object on each change cost more than the offer itself.
    stmt = (sa.select(Agent.id).where(Agent.state == "ready", ~holding_offer)
            .order_by(Agent.idle_since, Agent.id))
    if agent_ids is not None:
        if not agent_ids:
            return 0
        stmt = stmt.where(Agent.id.in_(list(agent_ids)))
    agents = list(session.scalars(_claim(stmt, skip_locked=True)))
    if not agents:
        return 0
    # Read again now that they are ours: an offer committed since the look above counts.
    room, offered_to = _holdings(session, agents)
    agents = [agent for agent in agents if agent not in offered_to]
    heads = []
    for kind in ROUTED_MEDIA:
        takers = sum(1 for agent in agents if room[agent][kind] > 0)
        if takers and (media is None or kind in media):
            heads += session.scalars(_claim(
                sa.select(Task).where(Task.status == "waiting", Task.media_type == kind)
                .order_by(Task.queued_at, Task.id).limit(takers), skip_locked=True))
    offered = 0
    for task in sorted(heads, key=lambda task: (task.queued_at, task.id)):
        agent = next((a for a in agents if room[a][task.media_type] > 0), None)
        if agent is None:
            continue
        agents.remove(agent)
        _offer(session, task, agent, now)
        offered += 1
        if not agents:
            break
    return offered


def _holdings(session, agent_ids) -> tuple[dict[str, dict[str, int]], set[str]]:
    """(room by agent and media, agents with a pending offer), in one read."""
    limits = capacity()
    room = {agent_id: dict(limits) for agent_id in agent_ids}
    offered_to = set()
    rows = session.execute(
        sa.select(Task.agent_id, Task.media_type, Task.status, sa.func.count())
        .where(Task.agent_id.in_(list(agent_ids)), Task.status.in_(HOLDING))
        .group_by(Task.agent_id, Task.media_type, Task.status))
    for agent_id, kind, status, n in rows:
        room[agent_id][kind] -= n
        if status == "offered":
            offered_to.add(agent_id)
    return room, offered_to


def idle_work(session) -> bool:
    """Is some task waiting while some Ready agent holds no offer? (A quick look, no lock.)"""
    return session.scalar(sa.select(_idle_work())) or False


def _idle_work():
    holding_offer = sa.exists().where(Task.agent_id == Agent.id, Task.status == "offered")
    free = sa.exists().where(Agent.state == "ready", ~holding_offer)
    return free & sa.exists().where(Task.status == "waiting")


def router_look(session) -> tuple[datetime | None, bool]:
    """(the next offer deadline, idle_work), in one statement."""
    deadline = (sa.select(sa.func.min(Task.offer_deadline)).where(Task.status == "offered")
                .scalar_subquery())
    return tuple(session.execute(sa.select(deadline, _idle_work())).one())


def dispatch_all(session) -> int:
    """The router job's pass: everything (what crossed or was skipped; a change outside
    routing that held an agent's row)."""
    offered = dispatch(session)
    if offered:
        session.info["routing_settled"] = True  # look again: it may have skipped rows
    return offered


def _offer(session, task: Task, agent_id: str, now: datetime) -> None:
    deadline = now + timedelta(seconds=current_app.config["OFFER_TIMEOUT_SECONDS"])
    task.status, task.agent_id = "offered", agent_id
    task.offered_at, task.offer_deadline, task.offers = now, deadline, task.offers + 1
    audit.add(session, ROUTER, "task", task.id, "offer",
              changes={"agent_id": agent_id, "deadline": deadline.isoformat()})
    _announce(session, task, "task.offered", agent_id)
    _queue_changed(session)
    metrics.on_commit(session, metrics.offered, task.media_type)


def _release(session, task: Task, outcome: str, actor: str, now: datetime) -> None:
    """A pending offer ends unaccepted: the task waits again in its old place (queued_at).

    Call with the task's row claimed (and its agent's, which keeps new offers away)."""
    agent_id, deadline = task.agent_id, task.offer_deadline
    task.status, task.agent_id, task.offer_deadline = "waiting", None, None
    audit.add(session, actor, "task", task.id, f"offer-{outcome}",
              changes={"agent_id": agent_id, "deadline": deadline.isoformat(),
                       "at": now.isoformat()})
    _announce(session, task, "task.offer_ended", agent_id, reason=outcome)
    _queue_changed(session)
    _touched(session, media=[task.media_type])


def expire_offers(session, now: datetime | None = None) -> int:
    """Offers past their deadline: the agent becomes Not Ready and the task goes to the next.

    Each offer is claimed agent first, then task, skipping what another transaction holds
    (an accept, a state change): the next look, a tick later, takes it if still overdue.
    """
    now = now or utcnow()
    overdue = list(session.execute(
        sa.select(Task.id, Task.agent_id)
        .where(Task.status == "offered", Task.offer_deadline <= now)
        .order_by(Task.offer_deadline)))
    expired = 0
    for task_id, agent_id in overdue:
        agent = session.scalar(_claim(sa.select(Agent).where(Agent.id == agent_id),
                                      skip_locked=True))
        task = session.scalar(_claim(
            sa.select(Task).where(Task.id == task_id, Task.status == "offered",
                                  Task.agent_id == agent_id, Task.offer_deadline <= now),
            skip_locked=True))
        if agent is None or task is None:
            continue
        _release(session, task, "missed", ROUTER, now)
        _change_state(session, agent, "not_ready", MISSED_OFFER, ROUTER, now)
        metrics.on_commit(session, metrics.offer_missed, task.media_type)
        expired += 1
    return expired


def next_deadline(session) -> datetime | None:
    return session.scalar(sa.select(sa.func.min(Task.offer_deadline))
                          .where(Task.status == "offered"))


def accept(session, task_id: int, agent_id: str, actor: str) -> Task:
    """Take an offered task, or a waiting one from the queue when there is room (R13, R14).

    The activity joins the customer's latest open request (R2) and the customer enters
    the agent's Open list. Accepting again what one already took answers the same.
    """
    agent = get_agent(session, agent_id, claim=True)  # no offer reaches it meanwhile
    task = session.scalar(_claim(sa.select(Task).where(Task.id == task_id)))
    if task is None:
        raise NotFound(f"Task {task_id} does not exist.")
    # The time of the accept is when its rows are ours: a close of the agent's last task may
    # have held them until now, and the accept must not seem to start before that one ended
    # (nor beat a deadline that passed while it waited).
    now = utcnow()
    if task.status == "active" and task.agent_id == agent_id:
        return task
    if task.status == "offered" and task.agent_id == agent_id:
        if task.offer_deadline <= now:
            raise Conflict(f"The offer of task {task.id} expired; it goes to the next agent.")
    elif task.status == "offered":
        raise Conflict(f"Task {task.id} is being offered to another agent.")
    elif task.status == "waiting":
        if _room(session, [agent_id])[agent_id][task.media_type] <= 0:
            raise Conflict(_no_room(task.media_type))
    else:
        by = f" by {task.agent_id}" if task.status in ("active", "completed") else ""
        raise Conflict(f"Task {task.id} was already {_PAST[task.status]}{by}.")
    was_offered = task.status == "offered"
    if was_offered:
        metrics.on_commit(session, metrics.offer_accepted, task.media_type,
                          (now - task.offered_at).total_seconds())
    task.status, task.agent_id, task.accepted_at, task.offer_deadline = (
        "active", agent_id, now, None)
    agent.idle_since = now
    activities_domain.accept(session, task.activity, agent_id, actor, now)
    audit.add(session, actor, "task", task.id, "accept", changes={"agent_id": agent_id})
    if was_offered:
        _announce(session, task, "task.offer_ended", agent_id, reason="accepted")
    _announce(session, task, "task.changed", agent_id)
    _queue_changed(session)
    _touched(session, agents=[agent_id])  # free for its next offer
    return task


_PAST = {"active": "accepted", "completed": "completed", "abandoned": "abandoned"}


def _no_room(media: str) -> str:
    if media == "voice":
        return "One voice task at a time (R15): you already have a call, or one on offer."
    return f"You already have as many {media} tasks as you may handle at once (or one on offer)."


def complete(session, activity_id: int, agent_id: str, actor: str) -> Task | None:
    """Closing the interaction (R8) completes the agent's task for it and frees its room."""
    if task_of(session, activity_id, ("active",)) is None:
        return None  # most closes have no task: nothing to lock
    agent = get_agent(session, agent_id, claim=True)
    task = session.scalar(_claim(sa.select(Task).where(
        Task.activity_id == activity_id, Task.status == "active")))
    if task is None or task.agent_id != agent_id:
        return None
    now = utcnow()
    task.status, task.ended_at = "completed", now
    agent.idle_since = now
    audit.add(session, actor, "task", task.id, "complete", changes={"agent_id": agent_id})
    _announce(session, task, "task.changed", agent_id)
    _touched(session, agents=[agent_id])
    return task


def abandon(session, activity, actor: str, at: datetime) -> Task | None:
    """The customer left before anyone accepted: the waiting or offered task is abandoned.

    Called before the ended event changes anything else (task rows before activity rows).
    """
    if task_of(session, activity.id, ("waiting", "offered")) is None:
        return None
    task = session.scalar(_claim(sa.select(Task).where(
        Task.activity_id == activity.id, Task.status.in_(("waiting", "offered")))))
    if task is None:
        return None
    offered_to = task.agent_id if task.status == "offered" else None
    task.status, task.agent_id, task.offer_deadline, task.ended_at = "abandoned", None, None, at
    audit.add(session, actor, "task", task.id, "abandon", changes={"offered_to": offered_to})
    if offered_to:
        _announce(session, task, "task.offer_ended", offered_to, reason="abandoned")
        _touched(session, agents=[offered_to])  # free for another offer
    _queue_changed(session)
    return task


# --- lists and previews ------------------------------------------------------------------

def waiting(session, offset: int, limit: int, queue: str | None = None,
            media_type: str | None = None) -> tuple[list[Task], int]:
    """R14: the Queue, oldest first."""
    stmt = sa.select(Task).where(Task.status == "waiting").order_by(Task.queued_at, Task.id)
    if queue:
        stmt = stmt.where(Task.queue == queue)
    if media_type:
        stmt = stmt.where(Task.media_type == media_type)
    tasks, total = pages.page(session, stmt, offset, limit)
    return with_previews(session, tasks), total


def in_progress(session, agent_id: str) -> list[Task]:
    """The agent's active tasks, oldest accepted first."""
    return with_previews(session, list(session.scalars(
        sa.select(Task).where(Task.agent_id == agent_id, Task.status == "active")
        .order_by(Task.accepted_at, Task.id))), agent_id)


def with_previews(session, tasks: list[Task], agent_id: str | None = None) -> list[Task]:
    """What an agent sees before accepting (R14): the customer, the request R2 would pick and
    an email's subject; with `agent_id`, the Open-list entry of each accepted task too."""
    if not tasks:
        return tasks
    activity_ids = [task.activity_id for task in tasks]
    customer_ids = {task.activity.customer_id for task in tasks if task.activity.customer_id}
    customers = {customer.id: customer for customer in session.scalars(
        sa.select(Customer).where(Customer.id.in_(customer_ids)))} if customer_ids else {}
    # Looked up only for what needs it: an activity with a request shows its own, and calls
    # carry no messages.
    open_requests = requests_domain.current_open(session, {
        task.activity.customer_id for task in tasks
        if task.activity.customer_id and not task.activity.request_id})
    texts = [task.activity_id for task in tasks if task.media_type != "voice"]
    subjects = dict(session.execute(
        sa.select(Message.activity_id, Message.subject)
        .where(Message.activity_id.in_(texts), Message.direction == "in",
               Message.subject.is_not(None))
        .order_by(Message.id.desc())).all()) if texts else {}  # the first subject wins
    entries = dict(session.execute(
        sa.select(OpenEntry.activity_id, OpenEntry.id)
        .where(OpenEntry.agent_id == agent_id, OpenEntry.activity_id.in_(activity_ids),
               OpenEntry.closed_at.is_(None))).all()) if agent_id else {}
    for task in tasks:
        activity = task.activity
        task.customer = customers.get(activity.customer_id)
        task.request = (activity.request if activity.request_id
                        else open_requests.get(activity.customer_id))
        task.subject = subjects.get(task.activity_id)
        task.open_entry_id = entries.get(task.activity_id)
    return tasks
