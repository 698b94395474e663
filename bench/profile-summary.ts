/**
 * Summarizes a V8 CPU profile written with `--profile DIR` (node --cpu-prof):
 *
 *   node build/bench/profile-summary.js DIR/update-c16.cpuprofile [--top 25]
 *
 * prints where the samples fell: by area (GC, idle, node internals, each npm package,
 * each folder of ours) and by function, self time and time including callees.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

interface Totals {
  selfMs: Map<string, number>;
  totalMs: Map<string, number>;
  areaMs: Map<string, number>;
  allMs: number;
}

/** Which part of the program a function belongs to. */
export function areaOf(functionName: string, url: string): string {
  if (functionName === '(garbage collector)') return 'garbage collector';
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(program)') return 'V8/native (program)';
  if (url === '' || url.startsWith('node:')) return 'node internals';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `npm ${pkg[1]}`;
  const ours = /\/build\/([^/]+)\//.exec(url);
  return ours ? `ours: ${ours[1]}/` : url;
}

function functionKey(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.replace(/^.*\/(node_modules|build)\//, '$1/');
  return `${functionName || '(anonymous)'} ${file}${url ? `:${lineNumber + 1}` : ''}`;
}

function summarize(profile: CpuProfile): Totals {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const totals: Totals = { selfMs: new Map(), totalMs: new Map(), areaMs: new Map(), allMs: 0 };
  const add = (map: Map<string, number>, key: string, ms: number) =>
    map.set(key, (map.get(key) ?? 0) + ms);
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const node = byId.get(id) as ProfileNode;
    totals.allMs += ms;
    add(totals.selfMs, functionKey(node), ms);
    add(totals.areaMs, areaOf(node.callFrame.functionName, node.callFrame.url), ms);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const key = functionKey(byId.get(at) as ProfileNode);
      if (!seen.has(key)) add(totals.totalMs, key, ms);
      seen.add(key);
    }
  });
  return totals;
}

function top(map: Map<string, number>, count: number, allMs: number): string {
  return [...map]
    .sort(([, a], [, b]) => b - a)
    .slice(0, count)
    .map(
      ([key, ms]) =>
        `${ms.toFixed(0).padStart(8)} ms ${((ms / allMs) * 100).toFixed(1).padStart(5)} %  ${key}`,
    )
    .join('\n');
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' } },
});
const count = Number(values.top);
for (const file of positionals) {
  const totals = summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  console.log(`${file}: ${(totals.allMs / 1000).toFixed(1)} s sampled\n`);
  console.log(`By area (self time):\n${top(totals.areaMs, count, totals.allMs)}\n`);
  console.log(`By function, self time:\n${top(totals.selfMs, count, totals.allMs)}\n`);
  console.log(`By function, including callees:\n${top(totals.totalMs, count, totals.allMs)}\n`);
}
