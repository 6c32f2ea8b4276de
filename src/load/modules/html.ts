import { createRequire } from 'node:module';
import type { Cheerio, CheerioAPI, load as cheerioLoadFn } from 'cheerio';
import type { AnyNode, Element as DomElement } from 'domhandler';
import type { K6Module } from './k6-module.js';
import { HtmlElement } from './html-element.js';

/**
 * `k6/html`: parseHTML(src) gives a read-only Selection with k6's jQuery-like API, over cheerio
 * (parse5, an HTML5 parser as Go's x/net/html under k6, and css-select). As k6 documents it and
 * unlike jQuery: `each(fn)` passes (index, Element), `map(fn)` passes (index, Selection) and
 * returns a plain array, `attr(name, default)`, `val()` of a select is its selected option's
 * value (or an array for a multiple select), `size()`, `serializeObject()`. Nothing modifies the
 * document.
 */

type SelectorArg = string | Selection | HtmlElement;

export class Selection {
  constructor(
    private readonly $: CheerioAPI,
    private readonly sel: Cheerio<AnyNode>,
  ) {}

  private wrap(sel: Cheerio<AnyNode>): Selection {
    return new Selection(this.$, sel);
  }

  private arg(value: SelectorArg): string | Cheerio<AnyNode> | AnyNode {
    if (value instanceof Selection) return value.sel;
    if (value instanceof HtmlElement) return value.node;
    if (typeof value === 'string') return value;
    throw new TypeError(`Invalid argument: cannot use a ${value === null ? 'null' : typeof value} as a selector`);
  }

  get length(): number {
    return this.sel.length;
  }
  size(): number {
    return this.sel.length;
  }
  find(selector: SelectorArg): Selection {
    return this.wrap(this.sel.find(this.arg(selector) as never));
  }
  add(selector: SelectorArg): Selection {
    const a = this.arg(selector);
    return this.wrap(this.sel.add(typeof a === 'string' ? this.$(a) : (a as never)));
  }
  closest(selector: SelectorArg): Selection {
    return this.wrap(this.sel.closest(this.arg(selector) as never));
  }
  has(selector: SelectorArg): Selection {
    return this.wrap(this.sel.has(this.arg(selector) as never) as Cheerio<AnyNode>);
  }
  not(selector: SelectorArg | ((index: number, sel: Selection) => boolean)): Selection {
    if (typeof selector === 'function') return this.wrap(this.sel.not((i, el) => Boolean(selector(i, this.wrap(this.$(el))))));
    return this.wrap(this.sel.not(this.arg(selector) as never));
  }
  filter(selector: SelectorArg | ((index: number, sel: Selection) => boolean)): Selection {
    if (typeof selector === 'function') return this.wrap(this.sel.filter((i, el) => Boolean(selector(i, this.wrap(this.$(el))))));
    return this.wrap(this.sel.filter(this.arg(selector) as never));
  }
  is(selector: SelectorArg | ((index: number, sel: Selection) => boolean)): boolean {
    if (typeof selector === 'function') return this.sel.toArray().some((el, i) => Boolean(selector(i, this.wrap(this.$(el)))));
    return this.sel.is(this.arg(selector) as never);
  }
  children(selector?: string): Selection {
    return this.wrap(selector === undefined ? this.sel.children() : this.sel.children(selector));
  }
  contents(): Selection {
    return this.wrap(this.sel.contents());
  }
  parent(selector?: string): Selection {
    return this.wrap(this.sel.parent(selector));
  }
  parents(selector?: string): Selection {
    return this.wrap(this.sel.parents(selector));
  }
  parentsUntil(until?: string | Selection, filter?: string): Selection {
    return this.wrap(this.sel.parentsUntil((until instanceof Selection ? until.sel : (until ?? undefined)) as never, filter));
  }
  next(selector?: string): Selection {
    return this.wrap(this.sel.next(selector));
  }
  nextAll(selector?: string): Selection {
    return this.wrap(this.sel.nextAll(selector));
  }
  nextUntil(until?: string | Selection, filter?: string): Selection {
    return this.wrap(this.sel.nextUntil((until instanceof Selection ? until.sel : (until ?? undefined)) as never, filter));
  }
  prev(selector?: string): Selection {
    return this.wrap(this.sel.prev(selector));
  }
  prevAll(selector?: string): Selection {
    return this.wrap(this.sel.prevAll(selector));
  }
  prevUntil(until?: string | Selection, filter?: string): Selection {
    return this.wrap(this.sel.prevUntil((until instanceof Selection ? until.sel : (until ?? undefined)) as never, filter));
  }
  siblings(selector?: string): Selection {
    return this.wrap(this.sel.siblings(selector));
  }
  eq(index: number): Selection {
    return this.wrap(this.sel.eq(index));
  }
  first(): Selection {
    return this.wrap(this.sel.first());
  }
  last(): Selection {
    return this.wrap(this.sel.last());
  }
  slice(start: number, end?: number): Selection {
    return this.wrap(this.sel.slice(start, end));
  }
  end(): Selection {
    return this.wrap(this.sel.end());
  }
  index(selector?: SelectorArg): number {
    return selector === undefined ? this.sel.index() : this.sel.index(this.arg(selector) as never);
  }
  get(index: number): HtmlElement | undefined {
    const node = this.sel.get(index < 0 ? this.sel.length + index : index);
    return node ? new HtmlElement(this.$, node) : undefined;
  }
  toArray(): Selection[] {
    return this.sel.toArray().map((node) => this.wrap(this.$(node)));
  }
  each(fn: (index: number, element: HtmlElement) => unknown): Selection {
    this.sel.toArray().forEach((node, i) => fn(i, new HtmlElement(this.$, node)));
    return this;
  }
  map(fn: (index: number, sel: Selection) => unknown): unknown[] {
    const out: unknown[] = [];
    this.sel.toArray().forEach((node, i) => {
      const v = fn(i, this.wrap(this.$(node)));
      if (v !== null && v !== undefined) out.push(v);
    });
    return out;
  }
  text(): string {
    return this.sel.text();
  }
  html(): string | undefined {
    if (this.sel.length === 0) return undefined;
    return this.sel.html() ?? '';
  }
  attr(name: string, defaultValue?: unknown): unknown {
    const v = this.sel.attr(name);
    return v === undefined ? defaultValue : v;
  }
  data(key?: string): unknown {
    return key === undefined ? this.sel.data() : this.sel.data(key);
  }
  val(): unknown {
    return fieldValue(this.$, this.sel.first());
  }
  serialize(): string {
    return this.serializeArray()
      .map(({ name, value }) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`.replace(/%20/g, '+'))
      .join('&');
  }
  serializeArray(): Array<{ name: string; value: string }> {
    return successfulControls(this.$, this.sel);
  }
  serializeObject(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const { name, value } of this.serializeArray()) {
      const prev = out[name];
      out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    }
    return out;
  }
  /** what console.log and JSON show: the selection's size, not cheerio's internals */
  toJSON(): Record<string, unknown> {
    return { length: this.sel.length };
  }
}

function optionValue(opt: Cheerio<AnyNode>): string {
  const v = opt.attr('value');
  return v !== undefined ? v : (opt.html() ?? '');
}

/** k6's val(): input and button their value, textarea its content, select its selected option(s). */
function fieldValue($: CheerioAPI, el: Cheerio<AnyNode>): unknown {
  const node = el.get(0) as DomElement | undefined;
  switch (node?.name) {
    case 'input':
    case 'button':
      return el.attr('value');
    case 'textarea':
      return el.html() ?? '';
    case 'option':
      return optionValue(el);
    case 'select': {
      const selected = el.find('option[selected]');
      if (el.attr('multiple') !== undefined) return selected.toArray().map((o) => optionValue($(o)));
      return selected.length ? optionValue(selected.first()) : ''; // k6: no selected option reads as empty, not as the first
    }
    default:
      return undefined;
  }
}

/** cheerio (and its HTML5 parser) is loaded on the first parse: a script that parses no HTML does not pay for it. */
let cheerioLoad: typeof cheerioLoadFn | undefined;

const SUBMITTER = /^(?:submit|button|image|reset|file)$/i;

/**
 * The controls a form submits (HTML's "successful controls", as jQuery and k6 serialize them):
 * named, enabled inputs, selects and textareas of the selected forms (or the selected controls
 * themselves), checkboxes and radios only when checked, each value as val() reads it.
 */
function successfulControls($: CheerioAPI, sel: Cheerio<AnyNode>): Array<{ name: string; value: string }> {
  const controls = sel.toArray().flatMap((node) => {
    const el = $(node);
    return el.is('form') ? el.find('input, select, textarea').toArray() : [node];
  });
  const out: Array<{ name: string; value: string }> = [];
  for (const node of controls) {
    const el = $(node);
    const name = el.attr('name');
    const type = el.attr('type') ?? '';
    if (!name || el.is(':disabled') || SUBMITTER.test(type)) continue;
    const checkable = /^(?:checkbox|radio)$/i.test(type);
    if (checkable && el.attr('checked') === undefined) continue;
    const value = fieldValue($, el) ?? (checkable ? 'on' : '');
    for (const v of Array.isArray(value) ? value : [value]) out.push({ name, value: String(v).replace(/\r?\n/g, '\r\n') });
  }
  return out;
}

export function parseHTML(src: unknown): Selection {
  cheerioLoad ??= (createRequire(import.meta.url)('cheerio') as { load: typeof cheerioLoadFn }).load;
  const $ = cheerioLoad(typeof src === 'string' ? src : String(src ?? ''));
  return new Selection($, $.root() as unknown as Cheerio<AnyNode>);
}

export const htmlModule: K6Module = {
  specifier: 'k6/html',
  blocking: [],
  create() {
    const api = { parseHTML };
    return { ...api, default: api };
  },
};
