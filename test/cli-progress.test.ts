import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProgress, formatDuration, renderProgress } from '../src/cli/progress.js';

function recorder(): { write(s: string): void; columns: number; isTTY: boolean; text: string } {
  return {
    text: '',
    columns: 80,
    isTTY: true,
    write(s: string) {
      this.text += s;
    },
  };
}

describe('the progress bar', () => {
  it('renders percent, count, rate and ETA from elapsed time', () => {
    // 30 of 120 in 10 s: 3 per second, 90 left, so 30 s to go.
    const line = renderProgress({ label: 'bench', done: 30, total: 120, elapsedMs: 10_000, unit: 'runs', width: 80 });
    assert.match(line, /^bench \[#+-+\]  25% 30\/120 3\.00 runs\/s ETA 30s$/);
    assert.equal(line.length, 80);
    assert.equal((line.match(/#/g) ?? []).length, Math.round(0.25 * (line.indexOf(']') - line.indexOf('[') - 1)));
  });

  it('formats durations in seconds, minutes and hours, and unknown as ?', () => {
    assert.equal(formatDuration(4.4), '4s');
    assert.equal(formatDuration(65), '1m05s');
    assert.equal(formatDuration(7380), '2h03m');
    assert.equal(formatDuration(NaN), '?');
  });

  it('draws nothing during the first second, then redraws at most every 100 ms, and clears at the end', () => {
    let now = 0;
    const stream = recorder();
    const bar = createProgress({ label: 'x', total: 100, stream, enabled: true, clock: () => now });
    for (let i = 0; i < 10; i++) {
      now += 90;
      bar.tick();
    }
    assert.equal(stream.text, '', 'quiet before one second');
    now = 1000;
    bar.tick();
    assert.equal((stream.text.match(/\r/g) ?? []).length, 1);
    now = 1050;
    bar.tick();
    assert.equal((stream.text.match(/\r/g) ?? []).length, 1, 'throttled');
    now = 1101;
    bar.tick();
    assert.equal((stream.text.match(/\r/g) ?? []).length, 2);
    assert.match(stream.text, /13\/100/);
    bar.finish();
    assert.ok(stream.text.endsWith('\r\x1b[K'));
  });

  it('is silent when disabled (stdout not a terminal, or --json)', () => {
    let now = 0;
    const stream = recorder();
    const bar = createProgress({ label: 'x', total: 2, stream, enabled: false, clock: () => now });
    now = 5000;
    bar.tick(2);
    bar.finish();
    assert.equal(stream.text, '');
  });
});
