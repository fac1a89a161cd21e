import { profileTrainingStep } from './train-profile.js';
const [name = 'resnet20', threads = '2'] = process.argv.slice(2);
const r = await profileTrainingStep(name as 'resnet20', Number(threads), 4);
const cats = new Map<string, number>();
for (const [node, ms] of r.byNode) {
  let c = 'other';
  if (/^Conv_?\d*$/.test(node)) c = 'forward conv';
  else if (/\/grad\/Conv$/.test(node) || /\/grad\/ConvTranspose$/.test(node)) c = 'dX conv';
  else if (/\/grad\/Conv_1$/.test(node)) c = 'unfold';
  else if (/MatMul/.test(node)) c = 'dW matmul';
  else if (/BatchNormalization/.test(node)) c = 'BN (fwd+bwd)';
  else if (/optimizer/.test(node)) c = 'optimizer';
  else if (/MaxPool|MaxUnpool/.test(node)) c = 'pool';
  else if (/Relu|Greater|Cast/.test(node)) c = 'relu';
  cats.set(c, (cats.get(c) ?? 0) + ms);
}
console.log(name, threads, [...cats].sort((a, b) => b[1] - a[1]).map(([c, ms]) => `${c}: ${ms.toFixed(1)}`).join(', '));
console.log('other top:', r.byNode.filter(([n]) => !/^Conv|BatchNormalization|optimizer|MaxPool|Relu/.test(n)).slice(0, 12).map(([n, ms]) => `${n} ${ms.toFixed(2)}`).join('\n'));
