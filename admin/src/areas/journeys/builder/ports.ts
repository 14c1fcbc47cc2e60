// Ports are typed: which ways out a node has (fixed, or one per entry of a config list such as a
// split's branches) and which connections the canvas accepts, with the reason when it refuses.
import type { BuilderDoc, JsonObject, NodeType, Port } from './model';

export type Locale = 'zh-CN' | 'en';

export function localized(text: { zhCN: string; en: string }, locale: Locale): string {
  return locale === 'en' ? text.en : text.zhCN;
}

/** The ports a node of this type has with this config, in order. */
export function portsOf(type: NodeType | undefined, config: JsonObject, locale: Locale): Port[] {
  if (!type) return [];
  if (type.portsFromConfig) {
    const { field, id, title } = type.portsFromConfig;
    const list = config[field];
    if (!Array.isArray(list)) return [];
    return list
      .map((entry) => entry as JsonObject)
      .filter((entry) => entry && typeof entry === 'object' && typeof entry[id] === 'string' && entry[id] !== '')
      .map((entry) => ({ id: String(entry[id]), title: typeof entry[title] === 'string' && entry[title] ? String(entry[title]) : String(entry[id]) }));
  }
  return type.ports.map((p) => ({ id: p.id, title: localized(p.title, locale) }));
}

export interface ConnectionAttempt {
  source: string;
  sourceHandle: string | null | undefined;
  target: string;
}

export type RefusalReason = 'selfLoop' | 'intoTrigger' | 'portUsed' | 'unknownPort' | 'duplicate' | 'missingNode';

/** Why a connection is refused, or null when it may be made. */
export function refuseConnection(doc: BuilderDoc, attempt: ConnectionAttempt, typeOf: (typeId: string) => NodeType | undefined): RefusalReason | null {
  const source = doc.nodes.find((n) => n.id === attempt.source);
  const target = doc.nodes.find((n) => n.id === attempt.target);
  if (!source || !target) return 'missingNode';
  if (attempt.source === attempt.target) return 'selfLoop';
  if (typeOf(target.data.type)?.kind === 'trigger') return 'intoTrigger';
  const port = attempt.sourceHandle ?? '';
  const known = portsOf(typeOf(source.data.type), source.data.config, 'en').some((p) => p.id === port);
  if (!known) return 'unknownPort';
  const used = doc.edges.filter((e) => e.source === attempt.source && e.sourceHandle === port);
  if (used.some((e) => e.target === attempt.target)) return 'duplicate';
  if (used.length) return 'portUsed';
  return null;
}
