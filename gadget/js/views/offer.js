/**
 * R13: the task offered to the agent: what it is, who, the request it joins, the seconds
 * left (text and bar) and Accept. Focus is never moved here (the agent may be typing);
 * the offer is announced assertively instead, and Alt+Shift+A accepts from anywhere.
 */

import { h, renderOnce, uid, unrender } from '../dom.js';
import { t } from '../i18n.js';
import { displayName, taskContact } from '../model.js';
import { countdown, secondsLeft } from './clock.js';

export const ACCEPT_SHORTCUT = 'Alt+Shift+A';

export function renderOffer(el, announcer, state, actions) {
  const offer = state.careDesktop ? state.offer : null;
  el.hidden = !offer;
  if (!offer) {
    unrender(el);
    return;
  }
  if (renderOnce(el, String(offer.task.id), () => build(offer, actions))) {
    const { task } = offer;
    announcer.textContent = t('offer.announce', {
      title: t(`offer.title.${task.media_type}`),
      name: displayName(task.customer),
      queue: task.queue,
      seconds: secondsLeft(offer.deadline),
      shortcut: ACCEPT_SHORTCUT,
    });
  }
  el.querySelector('[data-action="accept-offer"]').disabled = state.accepting === offer.task.id;
}

function build(offer, actions) {
  const { task } = offer;
  const titleId = uid('offer-title');
  const contact = taskContact(task);
  return h('div', {
    class: 'cc-offer', role: 'group', 'aria-labelledby': titleId,
    data: { testid: 'offer', taskId: task.id, media: task.media_type },
  },
  h('div', { class: 'cc-offer-head' },
    h('h2', { id: titleId, class: 'cc-offer-title' },
      h('span', { class: 'cc-media', data: { media: task.media_type } }, t(`offer.title.${task.media_type}`)),
      h('span', {
        class: 'cc-offer-queue', data: { testid: 'offer-queue' }, text: t('offer.queue', { queue: task.queue }),
      })),
    countdown(offer.deadline, offer.total, { class: 'cc-countdown', data: { testid: 'offer-countdown' } })),
  countdown(offer.deadline, offer.total, {
    progress: true, class: 'cc-offer-progress', 'aria-label': t('offer.timeLeft'),
    data: { testid: 'offer-progress' },
  }),
  h('p', { class: 'cc-offer-name', data: { testid: 'offer-customer' }, text: displayName(task.customer) }),
  contact && h('p', { class: 'cc-offer-line', data: { testid: 'offer-contact' }, text: contact }),
  taskFacts(task, 'offer'),
  h('div', { class: 'cc-offer-actions' },
    h('button', {
      type: 'button', class: 'cc-primary cc-accept', 'aria-keyshortcuts': ACCEPT_SHORTCUT,
      data: { action: 'accept-offer', testid: 'offer-accept' },
      on: { click: () => actions.accept(task.id) },
    }, t('offer.accept')),
    h('span', { class: 'cc-hint', text: t('offer.shortcut', { shortcut: ACCEPT_SHORTCUT }) })));
}

/** The request the contact will join, and an email's subject: one line each. */
export function taskFacts(task, testid) {
  const request = task.request
    ? t('task.request', { title: task.request.title || t('request.untitled') })
    : t('task.newRequest');
  return h('p', { class: 'cc-task-facts', data: { testid: `${testid}-facts` } },
    h('span', { data: { fact: 'request' }, text: request }),
    task.subject && h('span', {
      data: { fact: 'subject' }, text: t('task.subject', { subject: task.subject }),
    }));
}
