import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseDatasetSpec } from '../src/data/spec.js';
import { isSculptError } from '../src/errors.js';
import { FASHION_MNIST_DIR, loadDataset } from '../src/platform/node/datasets.js';

describe('dataset spec strings', () => {
  const parsed: [string, object][] = [
    ['mnist', { kind: 'mnist' }],
    ['mnist,limit=500,seed=3', { kind: 'mnist', limit: 500, seed: 3 }],
    ['fashion-mnist', { kind: 'fashion-mnist' }],
    ['fashion-mnist:/data/fm,split=0.1', { kind: 'fashion-mnist', path: '/data/fm', split: 0.1 }],
    ['cifar100:/d,labels=coarse,split=official', { kind: 'cifar100', path: '/d', labels: 'coarse', split: 'official' }],
    ['folder:/imgs,size=32,channels=3', { kind: 'folder', path: '/imgs', size: 32, channels: 3 }],
    ['seg:/s,classes=4,ignore=255', { kind: 'seg', path: '/s', classes: 4, ignore: 255 }],
    ['phantom', { kind: 'phantom' }],
    ['phantom:48', { kind: 'phantom', size: 48 }],
    ['phantom,n=2000,size=64,seed=1', { kind: 'phantom', count: 2000, size: 64, seed: 1 }],
    ['nifti:/v/ct.nii.gz,/v/seg.nii.gz,axis=0', { kind: 'nifti', path: '/v/ct.nii.gz', label: '/v/seg.nii.gz', axis: 0 }],
    ['nifti:/v/t1.nii,threshold=0.5,size=96,min-foreground=0.01', { kind: 'nifti', path: '/v/t1.nii', threshold: 0.5, size: 96, minForeground: 0.01 }],
    ['brain,axis=1', { kind: 'brain', axis: 1 }],
  ];
  for (const [text, expected] of parsed) {
    it(`parses '${text}'`, () => {
      assert.deepEqual(parseDatasetSpec(text), { text, ...expected });
    });
  }

  const refused: [string, RegExp][] = [
    ['imagenet', /unknown dataset 'imagenet' in 'imagenet'; allowed: mnist \| fashion-mnist\[:<dir>\] \| cifar10:<dir> .* \| brain/],
    ['cifar10', /dataset 'cifar10' needs a path after ':'; usage: cifar10:<dir>/],
    ['mnist:/x', /dataset 'mnist' takes nothing after ':'/],
    ['mnist,size=3', /dataset 'mnist' has no option 'size'; allowed: limit=, split=, seed=/],
    ['phantom,n=0', /dataset option n='0' in 'phantom,n=0' is invalid; allowed: an integer of at least 1/],
    ['phantom,split=1.5', /split='1.5' .* allowed: 'official' or a fraction between 0 and 1/],
    ['folder:/x,channels=2', /channels='2' .* allowed: 1 or 3/],
    ['nifti:/x.nii,axis=3', /axis='3' .* allowed: 0, 1 or 2/],
    ['cifar10:/x,fine', /'fine' in dataset spec 'cifar10:\/x,fine' is not a key=value option; usage: cifar10:<dir>/],
    ['mnist,limit=1e3', /limit='1e3' .* an integer of at least 1/],
  ];
  for (const [text, message] of refused) {
    it(`refuses '${text}' saying what is allowed`, () => {
      assert.throws(() => parseDatasetSpec(text), (e) => isSculptError(e, 'BAD_ARGUMENT') && message.test(e.message), message.source);
    });
  }
});

describe('loadDataset', () => {
  it('splits the phantom into consecutive training and test slices (n counts both)', () => {
    const { train, test } = loadDataset('phantom,n=50,size=16', { seed: 2 });
    assert.deepEqual([train.count, test.count], [40, 10]);
    assert.deepEqual([train.name, test.name], ['phantom/train', 'phantom/test']);
    const again = loadDataset('phantom:16,n=50,seed=2');
    assert.deepEqual(again.test.images, test.images);
  });

  it('lets the spec’s limit override the caller’s default', () => {
    assert.equal(loadDataset('phantom,n=50,size=16', { limit: 5 }).train.count, 5);
    assert.equal(loadDataset('phantom,n=50,size=16,limit=7', { limit: 5 }).train.count, 7);
    assert.equal(loadDataset('phantom,n=50,size=16,limit=7', { limit: 5 }).test.count, 7);
  });

  it('refuses split=official for a dataset without a test set', () => {
    assert.throws(() => loadDataset('phantom,split=official'), (e) => isSculptError(e, 'BAD_ARGUMENT') && /has no official test split; use split=<fraction>/.test(e.message));
  });

  it('loads Fashion-MNIST from the Debian package when it is installed', { skip: !existsSync(join(FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz')) && 'dataset-fashion-mnist is not installed' }, () => {
    const { train, test } = loadDataset('fashion-mnist,limit=100');
    assert.equal(train.count, 100);
    assert.equal(test.count, 100);
    assert.equal(train.classNames![9], 'Ankle boot');
    assert.equal(new Set(train.labels).size, 10);
  });
});
