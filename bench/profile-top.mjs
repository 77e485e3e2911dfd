// Prints the top frames of a V8 .cpuprofile by self time (node --cpu-prof writes them):
// node bench/profile-top.mjs FILE [N]
import { readFileSync } from 'node:fs';

const [file, count = '15'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const total = profile.timeDeltas.reduce((a, b) => a + b, 0);
profile.samples.forEach((id, i) => {
  const { callFrame } = byId.get(id);
  const where = callFrame.url
    ? `${callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(dist|src)\//, '$1/')}:${callFrame.lineNumber + 1}`
    : '';
  const key = `${callFrame.functionName || '(anonymous)'} ${where}`;
  self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
for (const [key, us] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(count))) {
  process.stdout.write(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}\n`);
}
