// `sculpt prune --method upai|reconvene`: the CLI wiring of upaiPrune and reconvenePrune.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EXIT } from '../src/cli/exit-codes.js';
import { decodeModel } from '../src/onnx/decode.js';
import { runCli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'sculpt-reconvene-'));

describe('sculpt prune at initialisation', () => {
  it('reconvene with magnitude scores writes a smaller model and reports the self-test', async () => {
    const output = join(dir, 'reconvene.onnx');
    const { code, stdout, stderr } = await runCli(['prune', 'zoo:vgg11,width=0.25', '--method', 'reconvene', '--scorer', 'mag', '--sparsity', '0.95', '-o', output, '--json']);
    assert.equal(code, EXIT.OK, stderr);
    const result = JSON.parse(stdout) as { before: { params: number }; after: { params: number }; selfTest: { maxError: number } | null };
    assert.ok(result.after.params < result.before.params, `${result.after.params} < ${result.before.params}`);
    assert.ok(result.selfTest && result.selfTest.maxError < 1e-4);
    decodeModel(new Uint8Array(readFileSync(output)));
  });

  it('upai with SNIP on phantom data keeps the shapes and zeroes the masked weights', async () => {
    const output = join(dir, 'upai.onnx');
    const { code, stdout, stderr } = await runCli([
      'prune', 'zoo:unet,base=4,depth=2,out=4,input=1x16x16', '--method', 'upai', '--scorer', 'snip', '--data', 'phantom,n=8,size=16', '--batch-size', '4', '--sparsity', '0.9', '-o', output,
    ]);
    assert.equal(code, EXIT.OK, stderr);
    assert.match(stdout, /UPaI \(snip\) kept [\d,]+ of [\d,]+ prunable weights \(9\.99%\)/); // ceil(0.9 · 7,316) removed
    assert.match(stdout, /UPaI cuts no channels: nothing to self-test/);
    const model = decodeModel(new Uint8Array(readFileSync(output)));
    const weight = model.graph.initializers.get('down.0.0.weight')!.data as Float32Array;
    assert.ok(weight.some((v) => v === 0) && weight.some((v) => v !== 0));
  });
});
