// Prints the top frames of a V8 .cpuprofile (node --cpu-prof writes them), as percentages of the
// busy samples (idle left out, so that profiles of differently loaded runs compare):
// node bench/profile-top.mjs FILE [N] [--inclusive]
//   self time by default; --inclusive: time in a frame and everything it called (each frame once a sample)
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const inclusive = args.includes('--inclusive');
const [file, count = '15'] = args.filter((a) => a !== '--inclusive');
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map();
for (const node of profile.nodes)
  for (const child of node.children ?? []) parentOf.set(child, node.id);
const nameOf = ({ callFrame }) => {
  const where = callFrame.url
    ? `${callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(dist|src)\//, '$1/')}:${callFrame.lineNumber + 1}`
    : '';
  return `${callFrame.functionName || '(anonymous)'} ${where}`.trim();
};
const time = new Map();
let busy = 0;
profile.samples.forEach((id, i) => {
  const us = profile.timeDeltas[i] ?? 0;
  const node = byId.get(id);
  if (node.callFrame.functionName === '(idle)') return;
  busy += us;
  if (!inclusive) {
    time.set(nameOf(node), (time.get(nameOf(node)) ?? 0) + us);
    return;
  }
  const seen = new Set();
  for (let at = id; at !== undefined; at = parentOf.get(at)) {
    const name = nameOf(byId.get(at));
    if (!seen.has(name)) time.set(name, (time.get(name) ?? 0) + us);
    seen.add(name);
  }
});
for (const [name, us] of [...time.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(count))) {
  process.stdout.write(`${((100 * us) / busy).toFixed(1).padStart(5)}%  ${name}\n`);
}
