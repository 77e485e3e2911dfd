// Holds V8's young generation at its initial size while the app loads
// (src/startup/young-generation.ts): the app's modules are imported after it, dynamically, since
// loading them is what grew it.
import './startup/young-generation.js';

const { bootstrap } = await import('./bootstrap.js');
await bootstrap();
