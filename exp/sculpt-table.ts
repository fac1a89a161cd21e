// Prints a sculpting run's results file (written by `sculpt fit`) as the markdown table EXPERIMENTS.md
// shows: every model's compression, parameters, MACs, size, quality, the relative quality loss and the
// latency at each measured configuration, with the ratio to the unpruned model's latency.
// Usage: npx tsx exp/sculpt-table.ts results/sculpt/<run>.json [more.json ...]
import { readFileSync } from 'node:fs';

interface Latency {
  threads: number;
  batch: number;
  medianMs: number;
  p90Ms: number;
}
interface ModelEntry {
  id: string;
  method: string;
  compression: number;
  params: number;
  macs: number;
  bytes: number;
  quality: number | null;
  latency: Latency[];
  training?: { epochs?: number; steps?: number; seconds?: number };
  generationSeconds?: number;
}
interface Results {
  task: { dataset: string; metric: string };
  models: ModelEntry[];
  choice?: { id: string; reason: string };
  criteria?: { minQuality?: number };
}

const count = (n: number): string => (n >= 1e9 ? `${(n / 1e9).toFixed(2)}G` : n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n));
const bytes = (n: number): string => (n >= 1024 ** 2 ? `${(n / 1024 ** 2).toFixed(1)} MB` : `${(n / 1024).toFixed(0)} KB`);
const ms = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

for (const path of process.argv.slice(2)) {
  const results = JSON.parse(readFileSync(path, 'utf8')) as Results;
  const dense = results.models.find((m) => m.method === 'dense')!;
  const configs = dense.latency.map((l) => ({ threads: l.threads, batch: l.batch }));
  const at = (m: ModelEntry, c: { threads: number; batch: number }): Latency | undefined => m.latency.find((l) => l.threads === c.threads && l.batch === c.batch);
  const metric = results.task.metric === 'dice' ? 'Dice' : 'accuracy';
  const header = ['model', 'compression', 'params', 'MACs', 'bytes', metric, 'rel. loss', 'train s', ...configs.map((c) => `b${c.batch}/t${c.threads} ms (x dense)`)];
  console.log(`<!-- ${path} -->`);
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`);
  for (const m of results.models) {
    const loss = m.quality !== null && dense.quality !== null ? `${(((dense.quality - m.quality) / dense.quality) * 100).toFixed(2)}%` : '-';
    const cells = [
      m.id === results.choice?.id ? `**${m.id}**` : m.id,
      `${m.compression >= 10 ? m.compression.toFixed(0) : m.compression.toFixed(2)}x`,
      count(m.params),
      count(m.macs),
      bytes(m.bytes),
      m.quality !== null ? m.quality.toFixed(4) : 'not trained',
      m === dense ? '' : loss,
      m.training?.seconds !== undefined ? m.training.seconds.toFixed(0) : '',
      ...configs.map((c) => {
        const l = at(m, c);
        const d = at(dense, c)!;
        return l ? `${ms(l.medianMs)}${m === dense ? '' : ` (${(l.medianMs / d.medianMs).toFixed(2)})`}` : '-';
      }),
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
  if (results.choice) console.log(`\nChosen: ${results.choice.reason}`);
  console.log();
}
