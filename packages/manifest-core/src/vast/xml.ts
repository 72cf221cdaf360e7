/** @module Hardened XML reading for VAST/VMAP: no DOCTYPE/ENTITY, size/depth/count limits, a small element tree. */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ManifestError, isManifestError } from '../errors.ts';

/** Limits applied before and while XML is read; ad servers are untrusted input. */
export interface XmlLimitsOptions {
  /** Largest accepted document, in UTF-8 bytes. Default 1 MiB (1_048_576). */
  maxBytes?: number;
  /** Deepest accepted element nesting. Default 64 (real VAST nests about 10 deep). */
  maxDepth?: number;
  /** Most elements accepted in one document. Default 20_000. */
  maxElements?: number;
}

/** One XML element with namespace prefixes removed; `text` joins its direct text and CDATA, entity-decoded. */
export interface XmlElement {
  /** Local name (prefix removed: `vmap:AdBreak` → `AdBreak`). */
  name: string;
  /** Attributes by local name (a null-prototype record, so names like `constructor` are plain data). */
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const DEFAULT_MAX_BYTES = 1_048_576;
const DEFAULT_MAX_DEPTH = 64;
const DEFAULT_MAX_ELEMENTS = 20_000;

/** UTF-8 length without allocating; stops counting once past `limit`. */
function utf8LengthOver(text: string, limit: number): boolean {
  if (text.length > limit) return true; // every UTF-16 unit is at least one UTF-8 byte
  if (text.length * 3 <= limit) return false;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
    if (bytes > limit) return true;
  }
  return false;
}

const PREDEFINED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes only XML's five predefined entities and character references (XML 1.0 §4.6); nothing expands. */
export function decodeXmlEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|lt|gt|amp|quot|apos);/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : whole;
    }
    return PREDEFINED_ENTITIES[ref] ?? whole;
  });
}

const parserCache = new Map<number, XMLParser>();

function parserFor(maxDepth: number): XMLParser {
  let parser = parserCache.get(maxDepth);
  if (!parser) {
    parser = new XMLParser({
      preserveOrder: true,
      ignoreAttributes: false,
      attributeNamePrefix: '',
      removeNSPrefix: true,
      parseTagValue: false,
      parseAttributeValue: false,
      trimValues: false,
      // Entities stay as text; only the predefined five are decoded afterwards, by decodeXmlEntities.
      processEntities: false,
      htmlEntities: false,
      cdataPropName: '#cdata',
      ignoreDeclaration: true,
      ignorePiTags: true,
      maxNestedTags: maxDepth,
    });
    parserCache.set(maxDepth, parser);
  }
  return parser;
}

type OrderedNode = Record<string, unknown>;

function isNodeList(value: unknown): value is OrderedNode[] {
  return Array.isArray(value);
}

/**
 * Parses untrusted XML into an element tree. Throws ManifestError XML_TOO_LARGE (bytes, depth or element
 * count over the limits), XML_FORBIDDEN (any `<!DOCTYPE` or `<!ENTITY`, checked before parsing, so entity
 * expansion and external entities cannot happen), or XML_MALFORMED (not well-formed, or not one root element).
 */
export function parseXmlDocument(xml: string, options: XmlLimitsOptions = {}): XmlElement {
  if (typeof xml !== 'string') throw new ManifestError('XML_MALFORMED', 'XML input must be a string');
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const maxElements = options.maxElements ?? DEFAULT_MAX_ELEMENTS;
  if (utf8LengthOver(xml, maxBytes)) {
    throw new ManifestError('XML_TOO_LARGE', `XML document larger than ${maxBytes} bytes`);
  }
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml)) {
    throw new ManifestError('XML_FORBIDDEN', 'XML with a DOCTYPE or ENTITY declaration is refused');
  }
  const text = xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml;
  let nodes: unknown;
  try {
    const valid = XMLValidator.validate(text);
    if (valid !== true) {
      throw new ManifestError('XML_MALFORMED', `malformed XML at line ${valid.err.line}: ${valid.err.msg}`, {
        line: valid.err.line,
      });
    }
    nodes = parserFor(maxDepth).parse(text);
  } catch (error) {
    if (isManifestError(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    if (/nested/i.test(message)) {
      throw new ManifestError('XML_TOO_LARGE', `XML nested deeper than ${maxDepth} elements`, { cause: error });
    }
    throw new ManifestError('XML_MALFORMED', `malformed XML: ${message}`, { cause: error });
  }
  const counter = { elements: 0, maxElements };
  const roots = isNodeList(nodes) ? toElements(nodes, counter) : { elements: [], text: '' };
  const [root, ...others] = roots.elements;
  if (!root || others.length > 0 || roots.text.trim() !== '') {
    throw new ManifestError('XML_MALFORMED', 'XML document must have exactly one root element');
  }
  return root;
}

function toElements(
  nodes: OrderedNode[],
  counter: { elements: number; maxElements: number },
): { elements: XmlElement[]; text: string } {
  const elements: XmlElement[] = [];
  let text = '';
  for (const node of nodes) {
    for (const key of Object.keys(node)) {
      if (key === ':@') continue;
      const value = node[key];
      if (key === '#text') {
        text += decodeXmlEntities(String(value));
      } else if (key === '#cdata') {
        // CDATA is literal: no entity decoding.
        if (isNodeList(value)) for (const part of value) text += String(part['#text'] ?? '');
      } else {
        counter.elements++;
        if (counter.elements > counter.maxElements) {
          throw new ManifestError('XML_TOO_LARGE', `XML has more than ${counter.maxElements} elements`);
        }
        const attributes: Record<string, string> = Object.create(null) as Record<string, string>;
        const rawAttributes = node[':@'];
        if (rawAttributes && typeof rawAttributes === 'object') {
          for (const [name, attr] of Object.entries(rawAttributes)) attributes[name] = decodeXmlEntities(String(attr));
        }
        const inner = isNodeList(value) ? toElements(value, counter) : { elements: [], text: '' };
        elements.push({ name: key, attributes, children: inner.elements, text: inner.text });
      }
    }
  }
  return { elements, text };
}

/** The first child element named `name`. */
export function childElement(parent: XmlElement | undefined, name: string): XmlElement | undefined {
  return parent?.children.find((c) => c.name === name);
}

/** Every child element named `name`. */
export function childElements(parent: XmlElement | undefined, name: string): XmlElement[] {
  return parent ? parent.children.filter((c) => c.name === name) : [];
}

/** Trimmed text of an element (URLs in CDATA often carry whitespace and newlines). */
export function elementText(el: XmlElement | undefined): string {
  return el ? el.text.trim() : '';
}
