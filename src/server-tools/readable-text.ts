/**
 * The readable text of an HTML page: Mozilla's Readability (the Firefox
 * Reader View algorithm) over a linkedom document — the article without
 * navigation, ads and footers — as plain text with paragraph breaks. Pages
 * that don't look like an article (isProbablyReaderable) fall back to the
 * body's text without scripts, styles, navigation, headers and footers.
 */
import { isProbablyReaderable, Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';

export interface ReadablePage {
  title: string;
  text: string;
}

const BLOCKS = 'address,article,aside,blockquote,dd,div,dl,dt,figcaption,figure,footer,h1,h2,h3,h4,h5,h6,header,hr,li,main,nav,ol,p,pre,section,table,tr,ul';

export function readableText(html: string, url: string): ReadablePage {
  const { document } = parseHTML(html);
  const pageTitle = document.querySelector('title')?.textContent?.trim() ?? '';
  let article: ReturnType<Readability['parse']> = null;
  try {
    // Readability mutates the document it reads; it gets its own copy.
    if (isProbablyReaderable(document as unknown as Document)) article = new Readability(parseHTML(html).document as unknown as Document, { charThreshold: 200 }).parse();
  } catch {
    article = null;
  }
  if (article?.content) {
    const text = htmlToText(article.content);
    if (text.length > 0) return { title: article.title?.trim() || pageTitle || url, text };
  }
  for (const el of document.querySelectorAll('script,style,noscript,template,nav,header,footer,aside,form,svg')) el.remove();
  const body = document.querySelector('body');
  return { title: pageTitle || url, text: blockText(body ?? document.documentElement) };
}

/** Plain text of an HTML fragment, one line per block element. */
export function htmlToText(html: string): string {
  const { document } = parseHTML(`<!doctype html><html><body>${html}</body></html>`);
  for (const el of document.querySelectorAll('script,style,noscript,template')) el.remove();
  const body = document.querySelector('body');
  return body ? blockText(body) : '';
}

function blockText(root: { querySelectorAll(s: string): Iterable<Element>; textContent: string | null }): string {
  for (const el of root.querySelectorAll('br')) el.replaceWith('\n');
  for (const el of root.querySelectorAll(BLOCKS)) {
    el.before('\n');
    el.after('\n');
  }
  return (root.textContent ?? '')
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
