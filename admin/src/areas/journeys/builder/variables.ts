// The variables a journey message may use, as the template editor offers them.
import type { TemplateVariable } from '@/components/schema-form/types';

const VARIABLES: Array<{ name: string; zh: string; en: string }> = [
  { name: 'customer.name', zh: '客户姓名', en: "Customer's name" },
  { name: 'customer.phone', zh: '手机号', en: 'Mobile number' },
  { name: 'customer.city', zh: '城市', en: 'City' },
  { name: 'customer.orderCount', zh: '累计订单数', en: 'Orders so far' },
  { name: 'customer.totalSpent', zh: '累计消费（元）', en: 'Total spent (yuan)' },
  { name: 'customer.attributes.<key>', zh: '自定义属性', en: 'A custom attribute' },
  { name: 'trigger.event.properties.<key>', zh: '触发事件的属性', en: 'A property of the triggering event' },
];

/** The variables, plus one per link set on the node (`{{links.coupon}}`). */
export function templateVariables(locale: 'zh-CN' | 'en', links: Record<string, unknown> = {}): TemplateVariable[] {
  const base = VARIABLES.map((v) => ({ name: v.name, hint: locale === 'en' ? v.en : v.zh }));
  const linkVars = Object.keys(links).map((k) => ({ name: `links.${k}`, hint: locale === 'en' ? `Link: ${k}` : `链接：${k}` }));
  return [...base, ...linkVars];
}
