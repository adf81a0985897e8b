import { inflateSync } from 'node:zlib';

/**
 * What a PDF says about itself, enough to check a printed page without a PDF library: the page
 * size of each page, the fonts embedded, and the characters its ToUnicode maps can stand for
 * (Chromium writes text as glyph ids; these maps are how a reader gets the text back).
 */
export function inspectPdf(pdf: Buffer): { pages: number[][]; fonts: string[]; characters: Set<string> } {
  const text = pdf.toString('latin1');
  const pages = [...text.matchAll(/\/MediaBox\s*\[\s*([\d.\s]+)\]/g)].map((m) =>
    m[1]!.trim().split(/\s+/).map(Number),
  );
  const fonts = [...new Set([...text.matchAll(/\/BaseFont\s*\/([^\s/<>[\]]+)/g)].map((m) => m[1]!))];
  const characters = new Set<string>();
  for (const m of text.matchAll(/stream\r?\n/g)) {
    const start = m.index + m[0].length;
    const end = text.indexOf('endstream', start);
    if (end < 0) continue;
    let body: string;
    try {
      body = inflateSync(pdf.subarray(start, end)).toString('latin1');
    } catch {
      continue;
    }
    if (!body.includes('begincmap')) continue;
    for (const [, list] of body.matchAll(/beginbfchar([\s\S]*?)endbfchar/g))
      for (const [, dst] of list!.matchAll(/<[0-9a-fA-F]+>\s*<([0-9a-fA-F]+)>/g)) addUtf16(characters, dst!);
    for (const [, list] of body.matchAll(/beginbfrange([\s\S]*?)endbfrange/g))
      for (const [, lo, hi, dst] of list!.matchAll(
        /<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>/g,
      )) {
        const count = parseInt(hi!, 16) - parseInt(lo!, 16);
        const first = parseInt(dst!, 16);
        for (let i = 0; i <= count && i < 65536; i++) characters.add(String.fromCodePoint(first + i));
      }
  }
  return { pages, fonts, characters };
}

function addUtf16(into: Set<string>, hex: string): void {
  const units: number[] = [];
  for (let i = 0; i + 4 <= hex.length; i += 4) units.push(parseInt(hex.slice(i, i + 4), 16));
  for (const ch of String.fromCharCode(...units)) into.add(ch);
}
