// The welcome message's variables as the API knows them (WeComWelcomeMessage: {{customer_name}},
// {{staff_name}}, {{live_code}}, {{coupon}}), inserting one at the cursor and rendering a preview.

export const WELCOME_VARIABLES = ['customer_name', 'staff_name', 'live_code', 'coupon'] as const;
export type WelcomeVariable = (typeof WELCOME_VARIABLES)[number];

export const token = (name: string) => `{{${name}}}`;

/** The text with `{{name}}` put in place of the selection [start, end), and where the cursor goes after it. */
export function insertVariable(text: string, name: WelcomeVariable, start = text.length, end = start): { text: string; cursor: number } {
  const at = Math.max(0, Math.min(start, text.length));
  const to = Math.max(at, Math.min(end, text.length));
  const inserted = token(name);
  return { text: text.slice(0, at) + inserted + text.slice(to), cursor: at + inserted.length };
}

export type PreviewPart = { kind: 'text'; text: string } | { kind: 'value'; text: string; variable: string } | { kind: 'unknown'; text: string; variable: string };

const VARIABLE = /\{\{\s*([a-zA-Z0-9_]+)\s*\}\}/g;

/** Splits the text into literal runs, filled-in variables and unknown variables (shown as they are). */
export function renderPreview(text: string, values: Record<WelcomeVariable, string>): PreviewPart[] {
  const parts: PreviewPart[] = [];
  let last = 0;
  for (const m of text.matchAll(VARIABLE)) {
    if (m.index > last) parts.push({ kind: 'text', text: text.slice(last, m.index) });
    const name = m[1]!;
    if ((WELCOME_VARIABLES as readonly string[]).includes(name)) parts.push({ kind: 'value', text: values[name as WelcomeVariable], variable: name });
    else parts.push({ kind: 'unknown', text: m[0], variable: name });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) });
  return parts;
}

/** Fills the known variables into a short text (a card title), leaving unknown ones as written. */
export function fillVariables(text: string, values: Record<WelcomeVariable, string>): string {
  return renderPreview(text, values)
    .map((p) => p.text)
    .join('');
}
