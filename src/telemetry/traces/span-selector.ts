import type { SpanRecord } from '../../run/records.js';
import type { AttributeMatcher, SpanSelector } from './rule-schema.js';

/** Does the span match the selector (every given field must match)? */
export function matchesSelector(span: SpanRecord, selector: SpanSelector): boolean {
  if (selector.service !== undefined && !oneOf(span.service, selector.service)) return false;
  if (selector.kind !== undefined && !oneOf(span.kind, selector.kind)) return false;
  if (selector.status !== undefined && !oneOf(span.status, selector.status)) return false;
  if (selector.name !== undefined && !nameMatches(span.name, selector.name)) return false;
  if (selector.attributes) {
    for (const [key, matcher] of Object.entries(selector.attributes)) if (attributeProblem(span, key, matcher)) return false;
  }
  return true;
}

/** A readable description of a selector, for messages: `payments SERVER "POST /charges"`. */
export function describeSelector(selector: SpanSelector): string {
  const parts: string[] = [];
  if (selector.service !== undefined) parts.push([selector.service].flat().join('|'));
  if (selector.kind !== undefined) parts.push([selector.kind].flat().join('|'));
  if (selector.name !== undefined) parts.push(JSON.stringify(selector.name));
  if (selector.status !== undefined) parts.push(`status ${[selector.status].flat().join('|')}`);
  if (selector.attributes) parts.push(Object.keys(selector.attributes).map((k) => `[${k}]`).join(''));
  return parts.length ? parts.join(' ') : 'any span';
}

function oneOf(value: string, wanted: string | readonly string[]): boolean {
  return typeof wanted === 'string' ? value === wanted : wanted.includes(value);
}

const compiled = new Map<string, RegExp>();

function nameMatches(name: string, pattern: string): boolean {
  if (!pattern.includes('*') && !(pattern.startsWith('/') && pattern.endsWith('/') && pattern.length > 1)) return name === pattern;
  let re = compiled.get(pattern);
  if (!re) {
    re =
      pattern.startsWith('/') && pattern.endsWith('/')
        ? new RegExp(pattern.slice(1, -1))
        : new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    compiled.set(pattern, re);
  }
  return re.test(name);
}

/** Why the span's attribute does not satisfy the matcher, or undefined when it does. */
export function attributeProblem(span: SpanRecord, key: string, matcher: AttributeMatcher): string | undefined {
  const value = span.attributes[key];
  const shown = value === undefined ? 'absent' : JSON.stringify(value);
  if (typeof matcher !== 'object') return value === matcher ? undefined : `${key} is ${shown}, want ${JSON.stringify(matcher)}`;
  if (matcher.exists !== undefined && (value !== undefined) !== matcher.exists) return `${key} is ${shown}, want it ${matcher.exists ? 'present' : 'absent'}`;
  if (value === undefined) {
    const needsValue = Object.keys(matcher).some((k) => k !== 'exists' && k !== 'not');
    return needsValue ? `${key} is absent` : undefined;
  }
  if (matcher.equals !== undefined && value !== matcher.equals) return `${key} is ${shown}, want ${JSON.stringify(matcher.equals)}`;
  if (matcher.not !== undefined && value === matcher.not) return `${key} is ${shown}, want anything else`;
  if (matcher.in && !matcher.in.some((v) => v === value)) return `${key} is ${shown}, want one of ${JSON.stringify(matcher.in)}`;
  const n = typeof value === 'number' ? value : Number.NaN;
  if (matcher.lt !== undefined && !(n < matcher.lt)) return `${key} is ${shown}, want < ${matcher.lt}`;
  if (matcher.lte !== undefined && !(n <= matcher.lte)) return `${key} is ${shown}, want <= ${matcher.lte}`;
  if (matcher.gt !== undefined && !(n > matcher.gt)) return `${key} is ${shown}, want > ${matcher.gt}`;
  if (matcher.gte !== undefined && !(n >= matcher.gte)) return `${key} is ${shown}, want >= ${matcher.gte}`;
  if (matcher.matches !== undefined && !new RegExp(matcher.matches).test(String(value))) return `${key} is ${shown}, want /${matcher.matches}/`;
  return undefined;
}
