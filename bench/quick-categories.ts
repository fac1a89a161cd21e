// Groups a one-step profile by forward op (the node a kernel was emitted for) and pass.
import { profileTrainingStep } from './train-profile.js';
const [name = 'resnet20', threads = '2'] = process.argv.slice(2);
const r = await profileTrainingStep(name as 'resnet20', Number(threads), 4);
const cats = new Map<string, number>();
for (const [node, ms] of r.byNode) {
  const owner = node.split('/')[0]!.replace(/_\d+$/, '');
  const pass = node.includes('/grad') ? 'backward' : 'forward';
  const key = /optimizer|momentum/.test(node) ? 'optimizer' : /^loss|labels/.test(node) ? 'loss' : `${owner} ${pass}`;
  cats.set(key, (cats.get(key) ?? 0) + ms);
}
const total = [...cats.values()].reduce((a, b) => a + b, 0);
console.log(`${name} ${threads} thread(s): kernels ${total.toFixed(1)} ms/step; steps ${r.runs.slice(2).map((x) => x.toFixed(0)).join(' ')}`);
for (const [k, ms] of [...cats].sort((a, b) => b[1] - a[1])) console.log(`  ${k.padEnd(32)} ${ms.toFixed(1).padStart(7)}`);
console.log('by op type:', r.byType.slice(0, 14).map(([t, ms]) => `${t} ${ms.toFixed(1)}`).join(', '));
