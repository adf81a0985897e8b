import { printable, unstorableText } from './storable-text.js';

describe('text a service can store and publish', () => {
  it('given free text with tabs and line breaks, when checked, then it is storable', () => {
    expect(unstorableText('第一行\r\n第二行\t（已更正）')).toBeUndefined();
  });

  it.each([
    ['NUL', 'a\u0000b', 'U+0000 at position 1'],
    ['a C0 control', '\u001bx', 'U+001B at position 0'],
    ['vertical tab', 'x\u000b', 'U+000B at position 1'],
    ['DEL', 'ab\u007f', 'U+007F at position 2'],
    ['a C1 control', '\u0085', 'U+0085 at position 0'],
  ])(
    'given text with %s, when checked, then the character and where it is are named',
    (_what, text, where) => {
      expect(unstorableText(text)).toContain(`contains a control character (${where};`);
    },
  );

  it('given a name holding control characters, when printed, then they are escaped and the rest kept', () => {
    expect(printable('a\u0000b\u009f名')).toBe('a\\u0000b\\u009F名');
  });
});
