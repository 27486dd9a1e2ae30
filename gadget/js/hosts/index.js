/** Which host the gadget runs in: Finesse, an iframe on any page, or standalone. */

import { createFinesseHost, createFinesseMissingHost } from './finesse.js';
import { createPostMessageHost } from './postmessage.js';
import { createStandaloneHost } from './standalone.js';

export function createHost(win = window) {
  // Hosts that load apps by URL (Genesys, Amazon Connect) say which host and origin it is:
  // /gadget/?host=postmessage&origin=https://host.example&locale=de
  const params = new URLSearchParams(win.location.search);
  if (params.get('host') === 'postmessage') {
    return createPostMessageHost({ origin: params.get('origin'), locale: params.get('locale') });
  }
  if (params.get('host') === 'standalone') return createStandaloneHost();
  if (win.finesse?.gadget?.Config) return createFinesseHost();
  // gadget.xml marks its root: in Finesse without finesse.js, say so, do not guess a host.
  const root = win.document.getElementById('cc-root');
  if (root?.dataset.host === 'finesse') return createFinesseMissingHost();
  if (win.parent !== win) return createPostMessageHost();
  return createStandaloneHost();
}
