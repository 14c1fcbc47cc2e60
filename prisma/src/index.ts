export * from './client.ts';
export * from './credentials.ts';
export * from './scopes.ts';
export * from './generated/prisma/client.ts';
export { normalizePhone, normalizePhoneReference } from './phone.ts';
export * from './orders.ts';
export { decodeRef, isUuid } from './ids.ts';
export { createUuidV7 } from './uuid-v7.ts';
export { mergeCustomerInto, type MergeResult } from './merge.ts';
