import { badBody, invalidStream, invalidToxicType } from './api-error.js';
import { nameProblem } from './names.js';
import { toxicRegistry } from './toxics/index.js';
import type { ToxicState } from './toxic-state.js';

type Json = Record<string, unknown>;

/** Toxiproxy's rules for a new toxic: stream defaults to downstream, toxicity to 1, name to `<type>_<stream>`. */
export function parseNewToxic(body: unknown): ToxicState {
  const input = asObject(body);
  const stream = input.stream ?? 'downstream';
  if (stream !== 'upstream' && stream !== 'downstream') throw invalidStream();
  const type = typeof input.type === 'string' ? input.type : '';
  const toxicType = toxicRegistry.get(type);
  const toxicity = parseToxicity(input.toxicity, 1);
  const name = input.name === undefined || input.name === '' ? `${type}_${stream}` : input.name;
  if (typeof name !== 'string') throw badBody('name must be a string');
  if (!toxicType) throw invalidToxicType();
  const badName = nameProblem(name);
  if (badName) throw badBody(badName);
  return { name, type, stream, toxicity, attributes: parseAttributes(type, {}, input.attributes) };
}

/** An update changes only attributes (merged onto the current ones) and toxicity. */
export function parseToxicUpdate(current: ToxicState, body: unknown): { toxicity: number; attributes: Record<string, number> } {
  const input = asObject(body);
  return {
    toxicity: parseToxicity(input.toxicity, current.toxicity),
    attributes: parseAttributes(current.type, current.attributes, input.attributes),
  };
}

function parseAttributes(type: string, base: Record<string, number>, given: unknown): Record<string, number> {
  if (given !== undefined && given !== null && (typeof given !== 'object' || Array.isArray(given))) {
    throw badBody('attributes must be an object');
  }
  const result = toxicRegistry.get(type)!.attributes.safeParse({ ...base, ...(given as Json | null | undefined) });
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw badBody(`attributes.${issue.path.join('.')}: ${issue.message}`);
  }
  return result.data;
}

function parseToxicity(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw badBody('toxicity must be a number from 0 to 1');
  }
  return value;
}

export function asObject(body: unknown): Json {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badBody('expected a JSON object');
  return body as Json;
}
