/**
 * Standalone host: the gadget is the page. The agent signs in with the form;
 * contacts arrive by push from server-side connectors.
 *
 * Every host adapter has the same shape:
 *   name             which host this is
 *   canSignOut       whether the agent may sign out here (not in Finesse)
 *   start(ctx)       -> Promise<{locale?, token?, error?, routing?}>; ctx = {config, api, reinit}
 *                    routing: 'host' when the host routes contacts itself (Finesse), so the
 *                    Care desktop (state switch, offers, Tasks pane) stays hidden
 *   signedIn(agent, {postEvent})   the session is ready; host contacts go to
 *                    postEvent(event, {replay}) (replay: a 409 means "already recorded")
 *   signedOut()
 *   resized(height)  the gadget's content height changed
 *   setTitle(text)   the page's title (the unread count and an offer's countdown are in it)
 *   unread(count)    unread customer messages in the agent's lists (postMessage: cc:unread)
 *   bringIntoView(rect, el)   show el ({top, height} of the gadget's page) to the agent: an offer
 *   offered(task, secondsLeft)   a task is offered to the agent (Care desktop)
 *   offerEnded(taskId, reason)   that offer ended: accepted, missed, withdrawn, abandoned, ended
 */

export function createStandaloneHost() {
  return {
    name: 'standalone',
    canSignOut: true,
    async start() {
      return {};
    },
    signedIn() {},
    signedOut() {},
    resized() {},
    setTitle(text) {
      document.title = text;
    },
    bringIntoView(rect, el) {
      el.scrollIntoView({ block: 'nearest' });
    },
    unread() {},
    offered() {},
    offerEnded() {},
  };
}
