import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../src/testing.ts';

let app: TestApp;
const operatorEmail = `ops-${randomBytes(4).toString('hex')}@example.com`;
beforeAll(async () => {
  process.env.COURTYARD_PLATFORM_ADMINS = ` other@example.com , ${operatorEmail.toUpperCase()} `;
  app = await createTestApp();
});
afterAll(async () => {
  delete process.env.COURTYARD_PLATFORM_ADMINS;
  await app?.close();
});

async function member(email: string): Promise<string> {
  const r = await app.request(`mutation ($input: SignUpInput!) { signUp(input: $input) { ... on SessionPayload { token } } }`, {
    input: { workspaceName: '平台', name: '运营', email, password: 'correct horse battery' },
  });
  return r.data.signUp.token;
}

const QUEUE = `{ pluginReviewQueue(first: 10) { totalCount } }`;

describe('platform operators named by COURTYARD_PLATFORM_ADMINS', () => {
  it('a member whose email is listed (any case, spaces around) reads the review queue; anyone else is refused', async () => {
    const operator = await member(operatorEmail);
    const r = await app.request(QUEUE, {}, operator);
    expect(r.errors).toBeUndefined();
    expect(r.data.pluginReviewQueue.totalCount).toBeGreaterThanOrEqual(0);

    const brand = await member(`brand-${randomBytes(4).toString('hex')}@example.com`);
    const refused = await app.request(QUEUE, {}, brand);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // The admin shows the review queue by this flag.
    expect((await app.request(`{ viewer { platformOperator } }`, {}, operator)).data.viewer.platformOperator).toBe(true);
    expect((await app.request(`{ viewer { platformOperator } }`, {}, brand)).data.viewer.platformOperator).toBe(false);
  });
});
