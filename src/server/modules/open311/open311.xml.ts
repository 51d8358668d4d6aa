/**
 * The small XML writer GeoReport v2 needs: elements and text only (no attributes, no namespaces).
 * Arrays become a wrapper element holding one child per item, named from ITEM_NAMES; null becomes an
 * empty element and an undefined field is left out, so an XML reader sees the same fields as a JSON reader.
 */

export type XmlValue = string | number | boolean | null | undefined | XmlValue[] | { [key: string]: XmlValue };

/** The element name of one item of each list GeoReport v2 defines (the wrapper keeps the list's name). */
const ITEM_NAMES: Record<string, string> = {
  services: 'service',
  service_requests: 'request',
  service_request_updates: 'request_update',
  attributes: 'attribute',
  values: 'value',
  endpoints: 'endpoint',
  formats: 'format',
  errors: 'error',
};

// XML 1.0 allows tab, LF, CR and everything from U+0020 except lone surrogates and U+FFFE/U+FFFF.
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escapes text for element content; characters XML cannot carry at all are dropped. */
export function escapeXmlText(text: string): string {
  return text.replace(NOT_XML_CHAR, '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function assertName(name: string): void {
  // Our names are fixed field names; a bad one is a programming error, never user input.
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) throw new Error(`not an XML element name: ${name}`);
}

function writeElement(name: string, value: XmlValue, out: string[]): void {
  assertName(name);
  if (value === null || value === undefined) {
    out.push(`<${name}/>`);
  } else if (Array.isArray(value)) {
    const item = ITEM_NAMES[name];
    if (!item) throw new Error(`no item element name for the list ${name}`);
    out.push(`<${name}>`);
    for (const v of value) writeElement(item, v, out);
    out.push(`</${name}>`);
  } else if (typeof value === 'object') {
    out.push(`<${name}>`);
    // An undefined field is left out, as JSON.stringify leaves it out; null is an empty element.
    for (const [k, v] of Object.entries(value)) if (v !== undefined) writeElement(k, v, out);
    out.push(`</${name}>`);
  } else {
    const text = typeof value === 'string' ? escapeXmlText(value) : String(value);
    out.push(text === '' ? `<${name}/>` : `<${name}>${text}</${name}>`);
  }
}

/** A whole document: the declaration GeoReport requires (UTF-8), then `root` holding `value`. */
export function toXmlDocument(root: string, value: XmlValue): string {
  const out: string[] = ['<?xml version="1.0" encoding="utf-8"?>\n'];
  writeElement(root, value, out);
  return out.join('');
}
