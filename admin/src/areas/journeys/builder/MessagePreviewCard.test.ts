import { afterEach, describe, expect, it } from 'vitest';
import { mountWith, until, testid } from '../../marketplace/test-support';
import MessagePreviewCard from './MessagePreviewCard.vue';

const customers = () => ({
  customers: { edges: [{ node: { __typename: 'Customer', id: 'Q3VzdG9tZXI6MQ==', name: '林小满', phone: '13900000001', email: null } }], __typename: 'CustomerConnection' },
});

describe('the send-message node preview', () => {
  let unmount: (() => void) | undefined;
  afterEach(() => unmount?.());

  it('renders the message for the first sample customer with the node\'s subject and links', async () => {
    const { wrapper, gql } = await mountWith(MessagePreviewCard, { config: { channel: 'wecom', body: '{{customer.name}}，券已到账 {{links.coupon}}', links: { coupon: 'https://s.example.com/c' } } }, {
      JourneyCustomerSearch: customers,
      JourneyPreviewMessage: (v) => ({ previewMessage: { __typename: 'MessagePreview', subject: null, body: `林小满，券已到账 ${(v.links as Record<string, string>).coupon}` } }),
    });
    unmount = () => wrapper.unmount();
    await until(() => expect(testid('node-preview-body')?.textContent).toBe('林小满，券已到账 https://s.example.com/c'), 3000);
    expect(gql.named('JourneyPreviewMessage')[0]!.variables).toMatchObject({ customerId: 'Q3VzdG9tZXI6MQ==', template: '{{customer.name}}，券已到账 {{links.coupon}}', links: { coupon: 'https://s.example.com/c' } });
  });

  it('shows an unknown variable as the API names it, next to the message field', async () => {
    const { wrapper } = await mountWith(MessagePreviewCard, { config: { channel: 'wecom', body: '{{customer.nickname}}，您好' } }, {
      JourneyCustomerSearch: customers,
      JourneyPreviewMessage: () => ({
        previewMessage: { __typename: 'ValidationError', message: 'invalid input', code: 'INVALID_INPUT', fields: [{ __typename: 'FieldError', field: 'template', message: 'unknown variable {{customer.nickname}}' }] },
      }),
    });
    unmount = () => wrapper.unmount();
    await until(() => expect(testid('node-preview-problem')?.textContent).toContain('unknown variable {{customer.nickname}}'), 3000);
    expect(testid('node-preview-problem')?.textContent).toContain('消息内容');
    expect(testid('node-preview-body')).toBeNull();
  });
});
