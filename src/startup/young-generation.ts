import { setFlagsFromString } from 'node:v8';

// V8 doubles its young generation (two semi-spaces, up to 16 MB each) after every scavenge whose
// survivors exceed its size. Loading the app is all survivors, so start-up alone grew it to the
// maximum, 10-20 MB more resident at idle, never given back. Held at its initial size while the
// app starts (growth factor 1: about 150 cheap scavenges instead of 20), then V8's own factor
// again, so that a loaded server grows it as before. A process started with its own semi-space
// flags is left alone.
const chosenByOperator = /--(max-|min-)?semi-space|--semi-space-growth/.test(
  `${process.execArgv.join(' ')} ${process.env['NODE_OPTIONS'] ?? ''}`,
);
if (!chosenByOperator) setFlagsFromString('--semi-space-growth-factor=1');

/** Lets V8 grow the young generation again (its default factor, 2): call once the app listens. */
export function releaseYoungGeneration(): void {
  if (!chosenByOperator) setFlagsFromString('--semi-space-growth-factor=2');
}
