/** Which host the gadget runs in: Finesse, an iframe on any page, or standalone. */

import { createFinesseHost } from './finesse.js';
import { createPostMessageHost } from './postmessage.js';
import { createStandaloneHost } from './standalone.js';

export function createHost(win = window) {
  if (win.finesse?.gadget?.Config) return createFinesseHost();
  if (win.parent !== win) return createPostMessageHost();
  return createStandaloneHost();
}
