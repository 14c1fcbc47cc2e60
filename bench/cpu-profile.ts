// A summary of a V8 CPU profile of the API process: where its time went, by package and function.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pct, table } from './common.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

// ─── CPU profile summary ─────────────────────────────────────────────────────────────────────────

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
}

/** Who owns the code at `url`: an npm package, a Courtyard package, node itself, wasm, or a V8 pseudo-frame. */
function ownerOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native code)';
  if (url.startsWith('node:')) return 'node: internals';
  if (url.startsWith('wasm://')) return 'wasm (Prisma query compiler)';
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [scope, name] = path.slice(modules + '/node_modules/'.length).split('/');
    return scope!.startsWith('@') ? `${scope}/${name}` : scope!;
  }
  if (path.startsWith(ROOT)) {
    const rel = relative(ROOT, path);
    return rel.startsWith('prisma/src/generated') ? 'prisma/src/generated (Prisma client)' : `courtyard ${rel.split('/')[0]}/`;
  }
  return url;
}

export function summariseProfile(file: string): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const frame = frames.get(id)!;
    if (frame.functionName === '(idle)') continue;
    busy += us;
    const owner = ownerOf(frame.url, frame.functionName);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + us);
    const where = frame.url ? ` ${owner === 'node: internals' ? frame.url : owner}:${frame.lineNumber + 1}` : '';
    const fn = `${frame.functionName || '(anonymous)'}${where}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => [pct(us / busy), `${(us / 1e6).toFixed(1)} s`, name]);
  return (
    `Busy ${(busy / 1e6).toFixed(1)} s of CPU (self time; idle left out).\n\nBy package:\n` +
    table(['share', 'self', 'package'], top(byOwner, 15)) +
    '\n\nBy function:\n' +
    table(['share', 'self', 'function'], top(byFunction, 25))
  );
}

