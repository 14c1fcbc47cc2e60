import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';

/** A callback message as parsed: element name → text, nested element, or repeated elements. */
export type XmlFields = { [name: string]: XmlValue };
export type XmlValue = string | XmlFields | XmlValue[];

export class MalformedXmlError extends Error {
  override readonly name = 'MalformedXmlError';
}

// Every value stays a string: WeCom ids such as ExternalUserID can look numeric, and CreateTime is
// compared as text when de-duplicating, so nothing may be turned into a number on the way in.
const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  // CDATA and plain text read the same: WeCom wraps strings in CDATA and numbers not.
  cdataPropName: false,
  processEntities: true,
});

const builder = new XMLBuilder({ cdataPropName: '__cdata', format: false, suppressEmptyNode: false });

// WeCom's documents are flat: <xml>, then elements holding CDATA or plain text. Those are read by
// one pass of a sticky regular expression (several times cheaper than validating and parsing);
// anything else — nesting, entities, attributes, a repeated name, a comment — goes to the full parser.
const FLAT_HEAD = /\s*(?:<\?xml[^?<>]*\?>\s*)?<xml>/y;
const FLAT_ELEMENT = /\s*<([A-Za-z_][\w.-]*)>(?:<!\[CDATA\[([^\]]*(?:\](?!\]>)[^\]]*)*)\]\]>|([^<&]*))<\/\1>/y;
const FLAT_TAIL = /\s*<\/xml>\s*$/y;
const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

function parseFlat(xml: string): XmlFields | undefined {
  FLAT_HEAD.lastIndex = 0;
  if (!FLAT_HEAD.test(xml)) return undefined;
  const fields: XmlFields = {};
  let at = FLAT_HEAD.lastIndex;
  for (;;) {
    FLAT_TAIL.lastIndex = at;
    if (FLAT_TAIL.test(xml)) return fields;
    FLAT_ELEMENT.lastIndex = at;
    const m = FLAT_ELEMENT.exec(xml);
    if (!m) return undefined;
    const name = m[1]!;
    if (RESERVED.has(name) || Object.hasOwn(fields, name) || m[3]?.includes(']]>')) return undefined;
    // As the full parser reads them: CDATA as it is, plain text trimmed.
    fields[name] = m[2] ?? m[3]!.trim();
    at = FLAT_ELEMENT.lastIndex;
  }
}

/** Parses a WeCom `<xml>…</xml>` document into its fields; anything else is a `MalformedXmlError`. */
export function parseWeComXml(xml: string): XmlFields {
  const flat = parseFlat(xml);
  if (flat) return flat;
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new MalformedXmlError(`malformed XML: ${valid.err.msg} (line ${valid.err.line})`);
  const doc = parser.parse(xml) as Record<string, unknown>;
  const root = doc.xml;
  if (root === '' ) return {};
  if (!root || typeof root !== 'object' || Array.isArray(root)) throw new MalformedXmlError('malformed XML: no <xml> root element');
  return root as XmlFields;
}

/** A value to write: strings go in CDATA as WeCom writes them, numbers as plain text. */
export type XmlInput = { [name: string]: string | number | XmlInput | XmlInput[] | string[] | undefined };

function toBuilderTree(fields: XmlInput): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (typeof value === 'string') out[name] = { __cdata: value };
    else if (typeof value === 'number') out[name] = value;
    else if (Array.isArray(value)) out[name] = value.map((item) => (typeof item === 'string' ? { __cdata: item } : toBuilderTree(item)));
    else out[name] = toBuilderTree(value);
  }
  return out;
}

const FLAT_NAME = /^[A-Za-z_][\w.-]*$/;

/**
 * The flat documents WeCom sends (strings in CDATA, numbers as text, no nesting) written directly,
 * as parseFlat reads them; undefined for anything else (nesting, arrays, a string holding `]]>`,
 * an odd name), which the library writes.
 */
function buildFlat(fields: XmlInput): string | undefined {
  let xml = '<xml>';
  for (const name in fields) {
    const value = fields[name];
    if (value === undefined) continue;
    if (!FLAT_NAME.test(name)) return undefined;
    if (typeof value === 'string') {
      if (value.includes(']]>')) return undefined;
      xml += `<${name}><![CDATA[${value}]]></${name}>`;
    } else if (typeof value === 'number') xml += `<${name}>${value}</${name}>`;
    else return undefined;
  }
  return `${xml}</xml>`;
}

/** Writes fields as a WeCom `<xml>…</xml>` document. */
export function buildWeComXml(fields: XmlInput): string {
  return buildFlat(fields) ?? (builder.build({ xml: toBuilderTree(fields) }) as string);
}
