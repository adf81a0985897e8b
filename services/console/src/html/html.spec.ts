import { html, raw } from './html.js';

describe('html', () => {
  it('escapes interpolated text, so a name or grounds from an API cannot inject markup', () => {
    // Given grounds typed by a subject
    const grounds = '<script>alert("x")</script> & 附件';
    // When it is put on a page
    const page = html`<p>${grounds}</p>`;
    // Then it is text
    expect(page.value).toBe('<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 附件</p>');
  });

  it('keeps nested fragments and trusted markup as they are, and drops null, undefined and false', () => {
    const items = ['a', 'b'].map((x) => html`<li>${x}</li>`);
    // prettier-ignore
    const list = html`<ul>${items}${null}${undefined}${false}${raw('<hr>')}</ul>`;
    expect(list.value).toBe('<ul><li>a</li><li>b</li><hr></ul>');
  });
});
