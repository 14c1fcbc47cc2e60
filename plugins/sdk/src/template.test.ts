import { describe, expect, it } from 'vitest';
import type { JourneyCustomer } from './context.ts';
import { checkTemplate, CUSTOMER_TEMPLATE_FIELDS, renderTemplate, templateProblems, templateVariables } from './template.ts';

const customer: JourneyCustomer = {
  id: 'c1',
  name: '王芳',
  phone: '13800000000',
  email: null,
  gender: null,
  birthday: null,
  city: '杭州',
  sourceChannel: null,
  lifecycleStage: null,
  wecomExternalId: null,
  unionId: null,
  attributes: { vipLevel: 2 },
  marketingConsent: true,
  blacklisted: false,
  ownerStaffId: null,
  tagIds: [],
  orderCount: 3,
  totalSpentCents: 129_900,
  firstOrderAt: null,
  lastOrderAt: null,
  createdAt: '2024-01-01T00:00:00.000Z',
};

describe('message templates', () => {
  it('renders customer fields, attributes, trigger properties and links', () => {
    const text = renderTemplate('{{customer.name}}（{{customer.city}}，VIP{{customer.attributes.vipLevel}}）：{{trigger.event.properties.sku}} {{links.coupon}}', {
      customer,
      trigger: { event: { properties: { sku: 'A100' } } },
      links: { coupon: 'https://s.example.cn/c?a=1&b=2' },
    });
    expect(text).toBe('王芳（杭州，VIP2）：A100 https://s.example.cn/c?a=1&b=2');
  });

  it('shows the total spent in yuan with two decimals', () => {
    expect(renderTemplate('累计消费 {{customer.totalSpent}} 元', { customer })).toBe('累计消费 1299.00 元');
  });

  it('does not HTML-escape, since messages are plain text', () => {
    expect(renderTemplate('{{customer.name}}', { customer: { ...customer, name: 'Tom & <Jerry>' } })).toBe('Tom & <Jerry>');
  });

  it('renders a missing value as nothing', () => {
    expect(renderTemplate('[{{customer.email}}][{{customer.attributes.none}}][{{trigger.event.properties.x}}]', { customer })).toBe('[][][]');
  });

  it('lists the variables a template uses, inside sections too', () => {
    expect(templateVariables('{{customer.name}} {{#customer.city}}{{links.store}}{{/customer.city}} {{{customer.phone}}}').sort()).toEqual(['customer.name', 'customer.phone', 'links.store']);
  });

  it('reports an unclosed tag and accepts a valid template', () => {
    expect(checkTemplate('Hi {{customer.name')).toMatch(/Unclosed tag/);
    expect(checkTemplate('{{#customer.city}}x')).toMatch(/Unclosed section/);
    expect(checkTemplate('Hi {{customer.name}}')).toBeNull();
  });
});

describe('templateProblems', () => {
  const links = { coupon: 'https://shop.example.com/c/1' };
  it('accepts every field it renders, custom attributes, set links and, where there is one, the trigger', () => {
    const all = CUSTOMER_TEMPLATE_FIELDS.map((f) => `{{customer.${f}}}`).join(' ');
    expect(templateProblems(`${all} {{customer.attributes.tier}} {{links.coupon}} {{trigger.event.type}}`, { links, linksPath: 'links', trigger: true })).toEqual([]);
    // Every field it accepts renders to something other than the empty string for a full customer.
    for (const f of ['name', 'phone', 'city', 'totalSpent']) expect(renderTemplate(`{{customer.${f}}}`, { customer })).not.toBe('');
  });

  it('names each misspelt field, unknown root, missing link and unparsable template', () => {
    expect(templateProblems('{{customer.nmae}} {{coupon}} {{links.gift}} {{trigger.event.type}}', { links, linksPath: 'content.links', trigger: false })).toEqual([
      expect.stringContaining('{{customer.nmae}} is not a customer field'),
      '{{coupon}} is not a known variable; use customer.* or links.*',
      '{{links.gift}} uses a link that is not set under content.links',
      '{{trigger.event.type}} is not a known variable; use customer.* or links.*',
    ]);
    expect(templateProblems('{{#x}}', { links, linksPath: 'links', trigger: true })).toEqual([expect.stringContaining('the template does not parse')]);
  });
});
