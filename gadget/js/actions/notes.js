/** The shown activity's tags (R5) and notes (R6). */

import { TAG_MAX, normaliseTag, sameTag, textLength } from '../model.js';
import { PATHS } from './shared.js';

export function installNotes(ctx) {
  const { store, api, state } = ctx;

  async function refreshActivity() {
    const activity = state.activity;
    if (!activity) return;
    const fresh = await api.get(PATHS.activity(activity.id));
    if (state.activity?.id === fresh.id) store.set({ activity: fresh });
  }

  /** Add a tag; false (with a visible message) when refused. */
  async function addTag(raw) {
    const activity = state.activity;
    const name = normaliseTag(raw);
    if (!activity || !name) return false;
    if (textLength(name) > TAG_MAX) {
      store.set({ tagMessage: { key: 'tag.tooLong', params: { max: TAG_MAX } } });
      return false;
    }
    if (activity.tags.some((tag) => sameTag(tag.name, name))) {
      store.set({ tagMessage: { key: 'tag.duplicate', params: { name } } });
      return false;
    }
    try {
      const tag = await api.post(`${PATHS.activity(activity.id)}/tags`, { name });
      store.set({ activity: { ...activity, tags: [...activity.tags, tag] }, tagMessage: null });
      await refreshActivity();
      ctx.reloadJourneySoon();
      return true;
    } catch (error) {
      const key = { 409: 'tag.duplicate', 422: 'tag.invalid' }[error.status];
      if (key) store.set({ tagMessage: { key, params: { name, max: TAG_MAX } } });
      else ctx.report(error);
      return false;
    }
  }

  function clearTagMessage() {
    if (state.tagMessage) store.set({ tagMessage: null });
  }

  async function removeTag(name) {
    const activity = state.activity;
    if (!activity) return;
    try {
      await api.del(`${PATHS.activity(activity.id)}/tags/${encodeURIComponent(name)}`);
      store.set({
        activity: { ...activity, tags: activity.tags.filter((tag) => tag.name !== name) },
        tagMessage: null,
        focus: 'tag-input',
      });
      await refreshActivity();
      ctx.reloadJourneySoon();
    } catch (error) {
      ctx.report(error);
    }
  }

  async function addNote(text) {
    const activity = state.activity;
    if (!activity || !text.trim()) return false;
    try {
      const note = await api.post(`${PATHS.activity(activity.id)}/notes`, { text });
      store.set({ notes: [...state.notes, note] });
      await refreshActivity();
      ctx.reloadJourneySoon();
      return true;
    } catch (error) {
      ctx.report(error);
      return false;
    }
  }

  async function reloadNotes() {
    const activityId = state.activity?.id;
    if (!activityId) return;
    const notes = await api.get(`${PATHS.activity(activityId)}/notes`);
    if (state.activity?.id === activityId) store.set({ notes });
  }

  return { refreshActivity, addTag, clearTagMessage, removeTag, addNote, reloadNotes };
}
