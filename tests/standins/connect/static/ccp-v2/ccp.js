// The stand-in CCP tells the page embedding it that it is up, as the real CCP's frame
// answers the Streams library over postMessage once it has loaded.
window.parent.postMessage({ type: 'connect-standin:ccp-ready' }, '*');
