/**
 * Which host the gadget runs in: Finesse, an iframe on any page, or standalone.
 *
 * Only the chosen host's module is fetched: each agent's browser downloads one adapter,
 * not three (issue 13's bytes on the wire).
 */

export async function createHost(win = window) {
  // A host page may speak before the adapter has loaded: its messages wait here and are
  // handed to the adapter's own listener once it exists.
  const early = [];
  const keep = (event) => early.push(event);
  win.addEventListener('message', keep);
  try {
    return await chooseHost(win);
  } finally {
    win.removeEventListener('message', keep);
    for (const { data, origin, source } of early) {
      win.dispatchEvent(new MessageEvent('message', { data, origin, source }));
    }
  }
}

async function chooseHost(win) {
  // Hosts that load apps by URL (Genesys, Amazon Connect) say which host and origin it is:
  // /gadget/?host=postmessage&origin=https://host.example&locale=de
  const params = new URLSearchParams(win.location.search);
  if (params.get('host') === 'postmessage') {
    const { createPostMessageHost } = await import('./postmessage.js');
    return createPostMessageHost({ origin: params.get('origin'), locale: params.get('locale') });
  }
  if (params.get('host') !== 'standalone') {
    // gadget.xml marks its root: in Finesse without finesse.js, say so, do not guess a host.
    const inFinesse = win.document.getElementById('cc-root')?.dataset.host === 'finesse';
    if (win.finesse?.gadget?.Config || inFinesse) {
      const { createFinesseHost, createFinesseMissingHost } = await import('./finesse.js');
      return win.finesse?.gadget?.Config ? createFinesseHost() : createFinesseMissingHost();
    }
    if (win.parent !== win) {
      const { createPostMessageHost } = await import('./postmessage.js');
      return createPostMessageHost();
    }
  }
  const { createStandaloneHost } = await import('./standalone.js');
  return createStandaloneHost();
}
