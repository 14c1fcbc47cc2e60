import Mustache from 'mustache';
import type { JourneyCustomer } from './context.ts';
import type { JsonObject, LocalizedText } from './text.ts';

/** What a message template may refer to, with a hint each for the template editor. */
export const TEMPLATE_VARIABLES: readonly { name: string; hint: LocalizedText }[] = [
  { name: 'customer.name', hint: { 'zh-CN': '客户姓名', en: "Customer's name" } },
  { name: 'customer.phone', hint: { 'zh-CN': '手机号', en: 'Mobile number' } },
  { name: 'customer.email', hint: { 'zh-CN': '邮箱', en: 'Email' } },
  { name: 'customer.city', hint: { 'zh-CN': '城市', en: 'City' } },
  { name: 'customer.attributes.<key>', hint: { 'zh-CN': '自定义属性', en: 'A custom attribute' } },
  { name: 'customer.orderCount', hint: { 'zh-CN': '累计订单数', en: 'Orders so far' } },
  { name: 'customer.totalSpent', hint: { 'zh-CN': '累计消费（元）', en: 'Total spent (yuan)' } },
  { name: 'trigger.event.properties.<key>', hint: { 'zh-CN': '触发事件的属性', en: 'A property of the triggering event' } },
  { name: 'links.<name>', hint: { 'zh-CN': '节点里配置的链接（如优惠券链接）', en: 'A link set on the node (e.g. a coupon link)' } },
];

export interface TemplateScope {
  customer: JourneyCustomer;
  trigger?: JsonObject;
  links?: Record<string, string>;
}

/** The variables a template uses, e.g. `customer.name`; for checks and hints. */
export function templateVariables(template: string): string[] {
  const names = new Set<string>();
  const walk = (tokens: unknown[]) => {
    for (const t of tokens as [string, string, number, number, unknown[]?][]) {
      if (t[0] === 'name' || t[0] === '&' || t[0] === '{') names.add(t[1]);
      if (t[4]) walk(t[4]);
    }
  };
  walk(Mustache.parse(template) as unknown[]);
  return [...names];
}

/**
 * Renders `{{customer.name}}`-style templates. Text is not HTML-escaped (messages are plain text);
 * a missing value renders as the empty string.
 */
export function renderTemplate(template: string, scope: TemplateScope): string {
  const view = {
    customer: { ...scope.customer, totalSpent: (scope.customer.totalSpentCents / 100).toFixed(2) },
    trigger: scope.trigger ?? {},
    links: scope.links ?? {},
  };
  return Mustache.render(template, view, undefined, { escape: (v: unknown) => String(v) });
}

/** What `{{customer.…}}` may name (besides `customer.attributes.<key>`): the fields renderTemplate gives. */
export const CUSTOMER_TEMPLATE_FIELDS: readonly string[] = [
  'id', 'name', 'phone', 'email', 'gender', 'birthday', 'city', 'sourceChannel', 'lifecycleStage', 'wecomExternalId', 'unionId',
  'orderCount', 'totalSpent', 'lastOrderAt', 'createdAt',
];

export interface TemplateCheckOptions {
  /** Links the template may use as `{{links.<name>}}`. */
  links: Record<string, string>;
  /** Where those links are set, for the message (e.g. `links`, `content.links`). */
  linksPath: string;
  /** Whether `{{trigger.…}}` is available (journeys: the triggering event or call). */
  trigger: boolean;
}

/**
 * Everything that stops a template from rendering as meant, one message each: it does not parse,
 * or it names a variable that does not exist (an unknown root, a misspelt customer field, a link
 * that is not set). Empty when it is fine.
 */
export function templateProblems(template: string, options: TemplateCheckOptions): string[] {
  const syntax = checkTemplate(template);
  if (syntax) return [`the template does not parse: ${syntax}`];
  const roots = options.trigger ? 'customer.*, trigger.* or links.*' : 'customer.* or links.*';
  const problems: string[] = [];
  for (const name of templateVariables(template)) {
    if (name.startsWith('customer.attributes.') || (options.trigger && name.startsWith('trigger.'))) continue;
    if (name.startsWith('customer.')) {
      if (!CUSTOMER_TEMPLATE_FIELDS.includes(name.slice('customer.'.length))) {
        problems.push(`{{${name}}} is not a customer field; use one of ${CUSTOMER_TEMPLATE_FIELDS.map((f) => `customer.${f}`).join(', ')} or customer.attributes.<key>`);
      }
    } else if (name.startsWith('links.')) {
      if (!(name.slice('links.'.length) in options.links)) problems.push(`{{${name}}} uses a link that is not set under ${options.linksPath}`);
    } else {
      problems.push(`{{${name}}} is not a known variable; use ${roots}`);
    }
  }
  return problems;
}

/** Why the template does not parse (unclosed tags or sections), or null when it does. */
export function checkTemplate(template: string): string | null {
  try {
    Mustache.parse(template);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}
