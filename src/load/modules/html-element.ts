import type { Cheerio, CheerioAPI } from 'cheerio';
import type { AnyNode, Element as DomElement } from 'domhandler';

/**
 * k6/html's Element: one DOM node, read through DOM-style methods (k6 calls them, not
 * properties: `el.nodeName()`, `el.textContent()`, `el.getAttribute('href')`, ...).
 */

const NODE_TYPES: Record<string, number> = { tag: 1, script: 1, style: 1, text: 3, cdata: 4, directive: 10, comment: 8, root: 9 };

const NODE_NAMES: Record<string, string> = { text: '#text', comment: '#comment', root: '#document', cdata: '#cdata-section', directive: 'html' };

function isElement(node: AnyNode | null | undefined): node is DomElement {
  const type = node?.type as string | undefined;
  return type === 'tag' || type === 'script' || type === 'style';
}

export class HtmlElement {
  constructor(
    private readonly $: CheerioAPI,
    readonly node: AnyNode,
  ) {}

  private wrap(node: AnyNode | null | undefined): HtmlElement | undefined {
    return node ? new HtmlElement(this.$, node) : undefined;
  }
  private get sel(): Cheerio<AnyNode> {
    return this.$(this.node);
  }
  private get element(): DomElement | undefined {
    return isElement(this.node) ? this.node : undefined;
  }

  nodeName(): string {
    const n = this.node;
    if (isElement(n)) return n.name.toUpperCase();
    return NODE_NAMES[n.type as string] ?? '';
  }
  nodeType(): number {
    return NODE_TYPES[this.node.type as string] ?? 0;
  }
  nodeValue(): string | undefined {
    const n = this.node as { data?: string };
    return typeof n.data === 'string' ? n.data : undefined;
  }
  id(): string {
    return this.element?.attribs.id ?? '';
  }
  className(): string | undefined {
    return this.element?.attribs.class;
  }
  classList(): string[] {
    return (this.element?.attribs.class ?? '').split(/\s+/).filter(Boolean);
  }
  getAttribute(name: string): string | undefined {
    return this.element?.attribs[name];
  }
  hasAttribute(name: string): boolean {
    return this.element?.attribs[name] !== undefined;
  }
  hasAttributes(): boolean {
    return Object.keys(this.element?.attribs ?? {}).length > 0;
  }
  attributes(): Record<string, { name: string; value: string }> {
    const out: Record<string, { name: string; value: string }> = {};
    for (const [name, value] of Object.entries(this.element?.attribs ?? {})) out[name] = { name, value };
    return out;
  }
  innerHTML(): string {
    return this.sel.html() ?? '';
  }
  textContent(): string {
    return this.sel.text();
  }
  hasChildNodes(): boolean {
    return ('children' in this.node ? this.node.children : []).length > 0;
  }
  childNodes(): HtmlElement[] {
    return ('children' in this.node ? this.node.children : []).map((c) => new HtmlElement(this.$, c));
  }
  children(): HtmlElement[] {
    return this.childNodes().filter((c) => isElement(c.node));
  }
  childElementCount(): number {
    return this.children().length;
  }
  firstChild(): HtmlElement | undefined {
    return this.childNodes()[0];
  }
  lastChild(): HtmlElement | undefined {
    return this.childNodes().at(-1);
  }
  firstElementChild(): HtmlElement | undefined {
    return this.children()[0];
  }
  lastElementChild(): HtmlElement | undefined {
    return this.children().at(-1);
  }
  parentNode(): HtmlElement | undefined {
    return this.wrap(this.node.parent);
  }
  parentElement(): HtmlElement | undefined {
    return isElement(this.node.parent) ? this.wrap(this.node.parent) : undefined;
  }
  nextSibling(): HtmlElement | undefined {
    return this.wrap(this.node.next);
  }
  previousSibling(): HtmlElement | undefined {
    return this.wrap(this.node.prev);
  }
  nextElementSibling(): HtmlElement | undefined {
    return this.wrap(this.sel.next().get(0));
  }
  previousElementSibling(): HtmlElement | undefined {
    return this.wrap(this.sel.prev().get(0));
  }
  matches(selector: string): boolean {
    return this.sel.is(selector);
  }
  querySelector(selector: string): HtmlElement | undefined {
    return this.wrap(this.sel.find(selector).get(0));
  }
  querySelectorAll(selector: string): HtmlElement[] {
    return this.sel
      .find(selector)
      .toArray()
      .map((n) => new HtmlElement(this.$, n));
  }
  getElementsByTagName(name: string): HtmlElement[] {
    return this.querySelectorAll(name);
  }
  getElementsByClassName(name: string): HtmlElement[] {
    return this.querySelectorAll(name.split(/\s+/).filter(Boolean).map((c) => `.${c}`).join(''));
  }
  isSameNode(other: unknown): boolean {
    return other instanceof HtmlElement && other.node === this.node;
  }
  toString(): string {
    return isElement(this.node) ? `[object HTML${this.node.name.charAt(0).toUpperCase()}${this.node.name.slice(1)}Element]` : `[object ${this.nodeName()}]`;
  }
  toJSON(): Record<string, unknown> {
    return { nodeName: this.nodeName(), id: this.id() };
  }
}
