// Summarises a V8 .cpuprofile: the functions with the most self time, then the most inclusive time
// (time with the function anywhere on the stack), so that the share of a flush spent in one piece shows.
//   node bench/summarize-profile.mjs prof/x.cpuprofile [rows] [filter-substring]
import { readFileSync } from 'node:fs';

const [file, rowsArg = '20', filter = ''] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map(node => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) {
  for (const child of node.children ?? []) parent.set(child, node.id);
}
const label = ({ callFrame }) =>
  `${callFrame.functionName || '(anonymous)'} ${callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/main\//, '')}:${callFrame.lineNumber + 1}`;
const self = new Map();
const inclusive = new Map();
let total = 0;
profile.samples.forEach((id, i) => {
  const us = profile.timeDeltas[i] ?? 0;
  total += us;
  self.set(label(byId.get(id)), (self.get(label(byId.get(id))) ?? 0) + us);
  const seen = new Set();
  for (let node = id; node !== undefined; node = parent.get(node)) {
    const key = label(byId.get(node));
    if (!seen.has(key)) {
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
});
const print = (title, map) => {
  console.log(`\n${title}`);
  for (const [key, us] of [...map].filter(([k]) => k.includes(filter)).sort((a, b) => b[1] - a[1]).slice(0, Number(rowsArg))) {
    console.log(`${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}`);
  }
};
print('self time', self);
print('inclusive time', inclusive);
