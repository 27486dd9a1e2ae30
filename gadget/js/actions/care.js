/**
 * Care desktop actions (R13-R15): the agent's Ready / Not Ready state, offers and their
 * deadline, the Queue and In Progress lists.
 */

import { debounce } from '../dom.js';
import { learnServerClock } from '../model.js';

const STATE = 'api/v1/me/state';
// How long sign-out waits for Not Ready before it goes anyway.
const LEAVE_WAIT_MS = 2000;

export function installCare(ctx) {
  const { store, api, state } = ctx;
  const report = (error) => ctx.report(error);
  const notify = (...args) => ctx.notify(...args);
  const showEntry = (id) => ctx.showEntry(id);
  let offerTimer = null;
  const seq = { queue: 0, tasks: 0 };
  // Bumped by every pushed state or offer change: an answer that was under way meanwhile
  // may predate the push, so it is fetched again rather than shown (as in loadLists).
  let stateEpoch = 0;

  const active = () => state.careDesktop && state.phase === 'ready';

  /** Only the newest answer of a kind of list is shown: an older one may arrive last. */
  async function latest(kind, load) {
    const mine = ++seq[kind];
    const data = await load();
    if (mine === seq[kind] && active()) store.set({ [kind]: data });
  }

  const loadQueue = () => latest('queue', () => api.get('api/v1/queue'));
  const loadTasks = () => latest('tasks', () => api.get('api/v1/me/tasks'));
  const reloadQueueSoon = debounce(() => loadQueue().catch(report), 300);
  const reloadTasksSoon = debounce(() => loadTasks().catch(report), 200);

  // --- state (R13) ------------------------------------------------------------------------

  function showState(answer) {
    const { offer, ...agentState } = answer;
    store.set({ agentState, stateBusy: false });
    showOffer(offer);
  }

  async function refreshState(request) {
    let answer;
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const epoch = stateEpoch;
      answer = await (attempt === 1 ? request() : api.get(STATE));
      if (epoch === stateEpoch) break;
    }
    if (active()) showState(answer);
  }

  const loadState = () => refreshState(() => api.get(STATE));
  const reloadStateSoon = debounce(() => loadState().catch(report), 300);

  async function setAgentState(next, reason) {
    if (state.stateBusy) return;
    store.set({ stateBusy: true });
    try {
      const body = next === 'not_ready' && reason ? { state: next, reason } : { state: next };
      await refreshState(() => api.put(STATE, body));
    } catch (error) {
      store.set({ stateBusy: false });
      report(error);
    }
  }

  /** Before signing out: no offers for a desktop that is closing (best effort, bounded). */
  async function leave() {
    clearTimeout(offerTimer);
    if (!active() || state.agentState?.state !== 'ready') return;
    const wait = new Promise((resolve) => {
      setTimeout(resolve, LEAVE_WAIT_MS);
    });
    await Promise.race([api.put(STATE, { state: 'not_ready' }).catch(() => {}), wait]);
  }

  // --- offers (R13) -----------------------------------------------------------------------

  /**
   * Show the task on offer, or none. The local deadline comes from the seconds left as
   * the service counted them, not from its clock, so a skewed desktop clock does not matter.
   */
  function showOffer(task) {
    if (!task || task.status !== 'offered' || !(task.expires_in > 0)) {
      if (state.offer && (!task || task.id === state.offer.task.id)) endOffer(state.offer.task.id, null);
      return;
    }
    clearTimeout(offerTimer);
    learnServerClock(task.offer_deadline, task.expires_in);
    const total = (Date.parse(task.offer_deadline) - Date.parse(task.offered_at)) / 1000;
    const same = state.offer?.task.id === task.id;
    const patch = {
      offer: {
        task,
        deadline: Date.now() + task.expires_in * 1000,
        total: same ? state.offer.total : (total > 0 ? total : task.expires_in),
      },
    };
    if (state.offer && !same) {
      // The next offer came first: the one shown was just accepted, or is gone.
      const { id } = state.offer.task;
      patch.offerOutcome = { taskId: id, reason: state.accepting === id ? 'accepted' : 'ended' };
    }
    store.set(patch);
    // Time is up: the card goes; the service's own word (missed) follows as a frame.
    offerTimer = setTimeout(() => endOffer(task.id, 'missed'), task.expires_in * 1000);
  }

  const ENDED_NOTICES = {
    missed: 'offer.missed', abandoned: 'offer.abandoned', withdrawn: 'offer.withdrawn',
  };

  /** The offer of `taskId` ended (reason null: it simply is no longer there). */
  function endOffer(taskId, reason) {
    if (!active()) return;
    const shown = state.offer?.task.id === taskId;
    const told = state.offerOutcome?.taskId === taskId;
    if (shown) clearTimeout(offerTimer);
    if (!shown && (told || !reason)) return;
    // Withdrawn by the agent's own Not Ready needs no notice; the switch says it.
    const key = reason === 'withdrawn' && state.agentState?.state !== 'ready' ? null : ENDED_NOTICES[reason];
    const patch = { offerOutcome: { taskId, reason: reason || 'ended' } };
    if (shown) patch.offer = null;
    store.set(patch);
    if (key && !told) notify('info', key);
  }

  async function accept(taskId) {
    if (state.accepting) return;
    store.set({ accepting: taskId });
    const offered = state.offer?.task.id === taskId;
    try {
      const task = await api.post(`api/v1/tasks/${taskId}/accept`);
      const patch = {
        accepting: null,
        tasks: [...state.tasks.filter((item) => item.id !== task.id), task],
        queue: state.queue.filter((item) => item.id !== task.id),
      };
      if (offered && state.offer?.task.id === taskId) {
        clearTimeout(offerTimer);
        Object.assign(patch, { offer: null, offerOutcome: { taskId, reason: 'accepted' } });
      }
      store.set(patch);
      if (task.open_entry_id) await showEntry(task.open_entry_id);
    } catch (error) {
      store.set({ accepting: null });
      report(error);
      if (error.status === 409) {
        if (offered) endOffer(taskId, null);
        await Promise.all([loadState(), loadQueue(), loadTasks()]).catch(() => {});
      }
    }
  }

  function acceptOffer() {
    if (state.offer) accept(state.offer.task.id);
  }

  // --- Queue and In Progress (R14) --------------------------------------------------------

  function setTaskTab(taskTab) {
    store.set({ taskTab });
  }

  function togglePreview(taskId) {
    store.set({ queuePreview: state.queuePreview === taskId ? null : taskId });
  }

  async function openTask(task) {
    if (task.open_entry_id) await showEntry(task.open_entry_id);
  }

  // --- push and resync --------------------------------------------------------------------

  /** Frames about routing; true when the frame was one of these. */
  function onFrame(frame) {
    const routingFrame = frame.type.startsWith('task.') || frame.type === 'state.changed'
      || frame.type === 'queue.changed';
    if (!routingFrame || !active()) return routingFrame;
    if (frame.type !== 'queue.changed') stateEpoch += 1;
    switch (frame.type) {
      case 'state.changed':
        if (state.agentState) {
          const { state: now, reason, changed_at: changedAt } = frame;
          store.set({ agentState: { ...state.agentState, state: now, reason, changed_at: changedAt } });
        }
        break;
      case 'task.offered':
        showOffer(frame.task);
        break;
      case 'task.offer_ended':
        endOffer(frame.id, frame.reason); // accepted: here, or in another window of the agent's
        break;
      case 'task.changed':
        reloadTasksSoon();
        break;
      case 'queue.changed':
        reloadQueueSoon();
        // A Ready agent with no offer asks again: an offer whose push was lost (or came
        // while reconnecting) must not wait for the deadline unseen.
        if (state.agentState?.state === 'ready' && !state.offer) reloadStateSoon();
        break;
      default:
        break;
    }
    return true;
  }

  /** Everything the Care desktop shows, fetched again (sign-in, reconnect, resync). */
  async function resync() {
    if (!active()) return;
    await Promise.all([loadState(), loadQueue(), loadTasks()]);
  }

  /** The host says whether it routes contacts itself; the Care desktop shows only if not. */
  function setCareDesktop(on) {
    if (on === state.careDesktop) return;
    clearTimeout(offerTimer);
    store.set({ careDesktop: on, agentState: null, offer: null, queue: [], tasks: [] });
    resync().catch(report);
  }

  return {
    loadCare: resync, setCareDesktop, setAgentState, leave,
    accept, acceptOffer, setTaskTab, togglePreview, openTask,
    careFrame: onFrame,
  };
}
