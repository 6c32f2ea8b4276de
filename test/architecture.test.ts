import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../src/paths.js';

/**
 * The house plan of src/ (scripts/floors.cjs, .dependency-cruiser.cjs), checked on the real
 * import graph: a room imports only its own floor or lower ones, no two files import each other
 * in a circle, no two rooms either, and every room says in a README what it owns.
 */

interface Floor {
  name: string;
  rooms: string[];
}
const { floors } = createRequire(import.meta.url)(join(packageRoot, 'scripts/floors.cjs')) as { floors: Floor[] };

let graph: ICruiseResult;
beforeAll(async () => {
  const previous = process.cwd();
  process.chdir(packageRoot);
  try {
    const options = await extractDepcruiseOptions('./.dependency-cruiser.cjs');
    const result = await cruise(['src', 'reference-stack'], { ...options, validate: true }, undefined, {
      tsConfig: extractTSConfig('tsconfig.json'),
    });
    graph = result.output as ICruiseResult;
  } finally {
    process.chdir(previous);
  }
});

/** The room a file belongs to: its folder under src/, or the file itself for src/*.ts. */
function roomOf(file: string): string | undefined {
  const match = /^src\/([^/]+)(\/)?/.exec(file);
  if (!match) return undefined;
  return match[2] ? `src/${match[1]}/` : `src/${match[1]}`;
}

describe('the import map of src/', () => {
  it('has no import from a lower floor to a higher one, no circle between files, no test support in the product', () => {
    const violations = graph.summary.violations.map((v) =>
      v.cycle?.length ? `${v.rule.name}: ${[v.from, ...v.cycle.map((c) => c.name)].join(' -> ')}` : `${v.rule.name}: ${v.from} -> ${v.to}`,
    );
    expect(violations).toEqual([]);
  });

  it('has no circle between rooms', () => {
    const edges = new Map<string, Set<string>>();
    for (const module of graph.modules) {
      if (module.source.endsWith('.test.ts')) continue;
      const from = roomOf(module.source);
      if (!from) continue;
      for (const dependency of module.dependencies) {
        const to = roomOf(dependency.resolved);
        if (to && to !== from) (edges.get(from) ?? edges.set(from, new Set()).get(from)!).add(to);
      }
    }
    const circles: string[] = [];
    const reaches = (from: string, target: string, seen = new Set<string>()): string[] | undefined => {
      for (const next of edges.get(from) ?? []) {
        if (next === target) return [next];
        if (seen.has(next)) continue;
        seen.add(next);
        const path = reaches(next, target, seen);
        if (path) return [next, ...path];
      }
      return undefined;
    };
    for (const room of edges.keys()) {
      const path = reaches(room, room);
      if (path) circles.push([room, ...path].join(' -> '));
    }
    expect(circles).toEqual([]);
  });

  it('places every room of src/ on a floor, and each room has a README saying what it owns', () => {
    const src = join(packageRoot, 'src');
    const placed = floors.flatMap((f) => f.rooms.map((room) => new RegExp(`^${room}`)));
    for (const name of readdirSync(src)) {
      const isRoom = statSync(join(src, name)).isDirectory();
      const path = isRoom ? `src/${name}/` : `src/${name}`;
      if (!isRoom && !name.endsWith('.ts')) continue;
      expect(placed.some((p) => p.test(path)), `${path} is on no floor of scripts/floors.cjs`).toBe(true);
      if (isRoom) expect(existsSync(join(src, name, 'README.md')), `src/${name}/README.md is missing`).toBe(true);
    }
  });
});
