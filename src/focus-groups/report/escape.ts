/**
 * Text into HTML and SVG (element content and quoted attribute values alike): the five
 * characters that can end a text or an attribute become entities, and characters XML does
 * not allow (controls other than tab and newlines, lone surrogates, U+FFFE/FFFF) are
 * dropped, so a model's or a persona's text can neither open a tag nor break the
 * document when the SVG is read as XML.
 */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  const s = typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value);
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '').replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
