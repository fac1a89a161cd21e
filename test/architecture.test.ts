// The layering rules of docs/DESIGN.md, checked on the import statements of src/: lower layers never
// import higher ones, and the core (everything but the Node side) imports no Node built-in or
// Node-only package, so it can run in a browser.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, it } from 'node:test';

const SRC = new URL('../src/', import.meta.url).pathname;

/** Each top-level part of src/ and its layer; a part may import parts of its own layer or lower. */
const LAYERS: Readonly<Record<string, number>> = {
  errors: 0, util: 0,
  ir: 1,
  onnx: 2, ops: 2,
  transform: 3, runtime: 3, deps: 3, zoo: 3, data: 3,
  autodiff: 4, bench: 4,
  score: 5,
  prune: 6, train: 6,
  sculpt: 7, report: 7,
  exp: 8,
  platform: 9,
  api: 10,
  cli: 11, index: 11,
};

/** The Node side: may import Node built-ins and Node-only packages. */
const NODE_SIDE = ['platform/', 'cli/', 'api/', 'index.ts', 'runtime/onnxruntime-node.ts', 'runtime/onnxruntime-web-node.ts'];
const NODE_ONLY_PACKAGES = ['onnxruntime-node', 'pngjs', 'jpeg-js'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

const partOf = (file: string): string => relative(SRC, file).split('/')[0]!.replace(/\.ts$/, '');

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/gm)].map((m) => (m[1] ?? m[2])!);
}

const files = sourceFiles(SRC);

describe('architecture', () => {
  it('names a layer for every part of src/', () => {
    const unknown = [...new Set(files.map(partOf))].filter((part) => LAYERS[part] === undefined);
    assert.deepEqual(unknown, [], 'add new parts of src/ to LAYERS here and to the layout in docs/DESIGN.md');
  });

  it('never imports a higher layer', () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = partOf(file);
      for (const spec of imports(file).filter((s) => s.startsWith('.'))) {
        const target = partOf(normalize(join(dirname(file), spec)));
        if (LAYERS[target]! > LAYERS[from]!) violations.push(`${relative(SRC, file)} imports ${spec} (${from} is below ${target})`);
      }
    }
    assert.deepEqual(violations, []);
  });

  it('keeps Node built-ins and Node-only packages out of the core', () => {
    const violations: string[] = [];
    for (const file of files) {
      const path = relative(SRC, file);
      if (NODE_SIDE.some((side) => path === side || path.startsWith(side))) continue;
      for (const spec of imports(file)) {
        if (spec.startsWith('node:') || NODE_ONLY_PACKAGES.includes(spec)) violations.push(`${path} imports ${spec}`);
      }
    }
    assert.deepEqual(violations, []);
  });

  it('finds the imports it checks', () => {
    // Guards the regular expression: a file known to import across layers must show its imports.
    const conv = imports(join(SRC, 'ops/conv.ts'));
    assert.ok(conv.some((s) => s.startsWith('.')), 'ops/conv.ts imports its neighbours');
  });
});
