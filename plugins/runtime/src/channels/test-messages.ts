// Outbound messages for the channel tests: a complete customer by default, each test changing
// only the fields it is about.
import type { OutboundMessage } from './types.ts';

type Customer = OutboundMessage['customer'];

export function outboundMessage(n: number, overrides: Omit<Partial<OutboundMessage>, 'customer'> & { customer?: Partial<Customer> } = {}): OutboundMessage {
  const { customer, ...rest } = overrides;
  return {
    deliveryId: `delivery-${n}`,
    idempotencyKey: `journey-1:enrollment-${n}:node-send:0`,
    workspaceId: 'workspace-1',
    customer: {
      id: `customer-${n}`,
      name: `Customer ${n}`,
      phone: `1380013${String(n).padStart(4, '0')}`,
      email: `customer${n}@example.com`,
      wecomExternalId: `wmExternal${n}`,
      ownerStaff: { id: 'staff-1', name: 'Li Na', wecomUserId: 'lina' },
      ...customer,
    },
    subject: 'Spring tea is here',
    body: `Hello Customer ${n}, the new harvest has arrived.`,
    attachments: [],
    ...rest,
  };
}

export function outboundMessages(count: number, overrides?: Parameters<typeof outboundMessage>[1]): OutboundMessage[] {
  return Array.from({ length: count }, (_, i) => outboundMessage(i + 1, overrides));
}
