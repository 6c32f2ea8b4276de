import { describe, expect, it } from 'vitest';
import { parseHTML } from './html.js';

const page = `<!doctype html><html><head><title>Shop</title></head><body>
<ul id="one" class="level-1">
  <li class="item-i">I</li>
  <li id="ii" class="item-ii">II
    <ul class="level-2"><li class="item-a">A</li><li class="item-b" data-sku="b-1">B</li></ul>
  </li>
  <li class="item-iii">III</li>
</ul>
<form id="f" action="/buy" method="post">
  <input name="qty" value="2"><input type="checkbox" name="gift" value="yes" checked>
  <select name="size"><option value="s">S</option><option value="m" selected>M</option></select>
  <select name="tags" multiple><option selected>x</option><option value="y" selected>Y</option></select>
  <textarea name="note">fast please</textarea>
  <button type="submit" name="go" value="now">Buy</button>
</form>
<a href="/next">next</a></body></html>`;

describe('k6/html', () => {
  const doc = parseHTML(page);

  it('finds, filters and walks as k6 documents it', () => {
    expect(doc.find('title').text()).toBe('Shop');
    expect(doc.find('li.item-a').closest('ul').attr('class')).toBe('level-2');
    expect(doc.find('ul.level-1').children().size()).toBe(3);
    expect(doc.find('ul.level-1').children('.item-iii').text()).toBe('III');
    expect(doc.find('li').eq(1).attr('id')).toBe('ii');
    expect(doc.find('li').first().text()).toBe('I');
    expect(doc.find('li').last().text()).toBe('III');
    expect(doc.find('.item-a').parent().is('ul.level-2')).toBe(true);
    expect(doc.find('li').filter('.item-b').data('sku')).toBe('b-1');
    expect(doc.find('.item-a').next().text()).toBe('B');
    expect(doc.find('li').not('.item-i').size()).toBe(4);
    expect(doc.find('#missing').attr('x', 'fallback')).toBe('fallback');
    expect(doc.find('#missing').html()).toBeUndefined();
    expect(doc.find('ul.level-2').html()).toBe('<li class="item-a">A</li><li class="item-b" data-sku="b-1">B</li>');
  });

  it('each() passes Elements, map() passes Selections and returns an array', () => {
    const names: string[] = [];
    doc.find('.level-2 li').each((i, el) => names.push(`${i}:${el.nodeName()}:${el.textContent()}:${el.getAttribute('class')}`));
    expect(names).toEqual(['0:LI:A:item-a', '1:LI:B:item-b']);
    expect(doc.find('.level-2 li').map((_, sel) => 'hola ' + sel.text())).toEqual(['hola A', 'hola B']);
    const el = doc.find('#ii').get(0)!;
    expect(el.id()).toBe('ii');
    expect(el.children().map((c) => c.nodeName())).toEqual(['UL']);
    expect(el.querySelector('.item-b')!.innerHTML()).toBe('B');
  });

  it("reads form values as k6's val() and serializes a form", () => {
    expect(doc.find('input[name=qty]').val()).toBe('2');
    expect(doc.find('select[name=size]').val()).toBe('m');
    expect(doc.find('select[name=tags]').val()).toEqual(['x', 'y']);
    expect(doc.find('textarea').val()).toBe('fast please');
    expect(doc.find('#f').serializeObject()).toEqual({ qty: '2', gift: 'yes', size: 'm', tags: ['x', 'y'], note: 'fast please' });
    expect(doc.find('#f').serialize()).toBe('qty=2&gift=yes&size=m&tags=x&tags=y&note=fast+please');
  });
});
