/**
 * Standalone host: the gadget is the page. The agent signs in with the form;
 * contacts arrive by push from server-side connectors.
 *
 * Every host adapter has the same shape:
 *   name             which host this is
 *   canSignOut       whether the agent may sign out here (not in Finesse)
 *   start(ctx)       -> Promise<{locale?, token?, error?}>; ctx = {config, api, reinit}
 *   signedIn(agent, {postEvent})   the session is ready; host contacts go to
 *                    postEvent(event, {replay}) (replay: a 409 means "already recorded")
 *   signedOut()
 *   resized(height)  the gadget's content height changed
 *   setTitle(text)
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
  };
}
