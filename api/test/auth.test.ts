import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { createTestApp, type TestApp } from '../src/testing.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app?.close();
});

const SIGN_UP = `mutation ($input: SignUpInput!) { signUp(input: $input) { __typename ... on SessionPayload { token workspace { id name } member { email } } ... on ConflictError { field } ... on ValidationError { fields { field } } } }`;
const LOGIN = `mutation ($input: LoginInput!) { login(input: $input) { __typename ... on SessionPayload { token workspace { id name } } ... on ValidationError { fields { field } } } }`;
const VIEWER = `{ viewer { scopes workspace { id name } member { email } apiKey { name } workspaces { name } } }`;

let n = 0;
const email = () => `owner${Date.now()}${n++}@example.com`;

describe('members', () => {
  it('signs up a workspace with its owner, who logs in and sees every scope', async () => {
    const address = email();
    const signUp = await app.request(SIGN_UP, { input: { workspaceName: '花漾', name: '林', email: address.toUpperCase(), password: 'correct horse battery' } });
    expect(signUp.data.signUp).toMatchObject({ __typename: 'SessionPayload', workspace: { name: '花漾' }, member: { email: address } });
    const login = await app.request(LOGIN, { input: { email: address, password: 'correct horse battery' } });
    expect(login.data.login.__typename).toBe('SessionPayload');
    const viewer = await app.request(VIEWER, {}, login.data.login.token);
    expect(viewer.data.viewer).toMatchObject({ workspace: { name: '花漾' }, member: { email: address }, apiKey: null });
    expect(viewer.data.viewer.scopes).toContain('CUSTOMERS_WRITE');
    expect((await app.request(SIGN_UP, { input: { workspaceName: 'x', name: 'y', email: address, password: 'correct horse battery' } })).data.signUp).toEqual({
      __typename: 'ConflictError',
      field: 'input.email',
    });
  });

  it('rejects a wrong password and a short one', async () => {
    const address = email();
    await app.request(SIGN_UP, { input: { workspaceName: 'a', name: 'b', email: address, password: 'correct horse battery' } });
    expect((await app.request(LOGIN, { input: { email: address, password: 'wrong password!' } })).data.login.__typename).toBe('InvalidCredentialsError');
    const short = await app.request(SIGN_UP, { input: { workspaceName: 'a', name: 'b', email: email(), password: 'short' } });
    expect(short.data.signUp).toEqual({ __typename: 'ValidationError', fields: [{ field: 'input.password' }] });
  });

  it('invites a new member who accepts with the token and gets the invited role; an existing member belongs to both workspaces', async () => {
    const owner = email();
    const s = await app.request(SIGN_UP, { input: { workspaceName: '一号店', name: 'o', email: owner, password: 'correct horse battery' } });
    const ownerToken = s.data.signUp.token;
    const INVITE = `mutation ($input: InviteMemberInput!) { inviteMember(input: $input) { __typename ... on InvitationPayload { token addedDirectly role } } }`;
    const invitee = email();
    const inv = await app.request(INVITE, { input: { email: invitee, role: 'analyst' } }, ownerToken);
    expect(inv.data.inviteMember).toMatchObject({ addedDirectly: false, role: 'analyst' });
    const accepted = await app.request(
      `mutation ($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { __typename ... on SessionPayload { token workspace { name } } } }`,
      { input: { token: inv.data.inviteMember.token, name: '分析师', password: 'another long secret' } },
    );
    expect(accepted.data.acceptInvitation).toMatchObject({ workspace: { name: '一号店' } });
    const analyst = accepted.data.acceptInvitation.token;
    const v = await app.request(VIEWER, {}, analyst);
    expect(v.data.viewer.scopes).toContain('CUSTOMERS_READ');
    expect(v.data.viewer.scopes).not.toContain('CUSTOMERS_WRITE');
    const write = await app.request(`mutation { upsertCustomer(input: { phone: "13800000000" }) { __typename } }`, {}, analyst);
    expect(write.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // The analyst signs up a second workspace of their own: now a member of two.
    const second = await app.request(SIGN_UP, { input: { workspaceName: '二号店', name: 'o2', email: email(), password: 'correct horse battery' } });
    const added = await app.request(INVITE, { input: { email: invitee, role: 'marketer' } }, second.data.signUp.token);
    expect(added.data.inviteMember).toMatchObject({ addedDirectly: true, token: null });
    const both = await app.request(LOGIN, { input: { email: invitee, password: 'another long secret', workspaceId: second.data.signUp.workspace.id } });
    expect(both.data.login.workspace.name).toBe('二号店');
    const ws = await app.request(VIEWER, {}, both.data.login.token);
    expect(ws.data.viewer.workspaces.map((w: any) => w.name).sort()).toEqual(['一号店', '二号店']);
  });

  it('logging out ends the session', async () => {
    const s = await app.request(SIGN_UP, { input: { workspaceName: 'w', name: 'n', email: email(), password: 'correct horse battery' } });
    const token = s.data.signUp.token;
    expect((await app.request(`mutation { logout }`, {}, token)).data.logout).toBe(true);
    const after = await app.request(VIEWER, {}, token);
    expect(after.status).toBe(401);
    expect(after.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('API keys', () => {
  it('creates a key whose secret is shown once, lists it by prefix, and revokes it', async () => {
    const ws = await app.workspace();
    const CREATE = `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { __typename ... on CreatedApiKey { secret apiKey { id name prefix scopes } } ... on ValidationError { fields { field message } } } }`;
    const created = await ws.gql(CREATE, { input: { name: '有赞同步', scopes: ['CUSTOMERS_READ'] } });
    const { secret, apiKey } = created.data.createApiKey;
    expect(secret.startsWith(apiKey.prefix)).toBe(true);
    expect(apiKey.scopes).toEqual(['CUSTOMERS_READ']);

    const list = await ws.gql(`{ workspace { apiKeys { totalCount edges { node { name prefix revokedAt lastUsedAt } } } } }`);
    expect(JSON.stringify(list.data)).not.toContain(secret);
    expect(list.data.workspace.apiKeys.edges[0].node).toMatchObject({ name: '有赞同步', revokedAt: null });

    expect((await ws.gql(`{ customers { totalCount } }`, {}, secret)).data.customers.totalCount).toBe(0);
    // The key's last use is recorded (asynchronously, at most once a minute).
    let lastUsedAt = null;
    for (let i = 0; i < 20 && !lastUsedAt; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const keys = await ws.gql(`{ workspace { apiKeys { edges { node { name lastUsedAt } } } } }`);
      lastUsedAt = keys.data.workspace.apiKeys.edges.find((e: any) => e.node.name === '有赞同步').node.lastUsedAt;
    }
    expect(lastUsedAt).toBeTruthy();
    const denied = await ws.gql(`mutation { upsertCustomer(input: { phone: "13800000000" }) { __typename } }`, {}, secret);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const tags = await ws.gql(`{ tagGroups { name } }`, {}, secret);
    expect(tags.errors?.[0]?.message).toContain('tags:read');

    // A key cannot grant what it does not hold.
    const escalate = await ws.gql(CREATE, { input: { name: 'x', scopes: ['APIKEYS_WRITE'] } }, await ws.keyWith(['apikeys:write', 'customers:read']));
    expect(escalate.data.createApiKey.__typename).toBe('CreatedApiKey');
    const tooMuch = await ws.gql(CREATE, { input: { name: 'x', scopes: ['TAGS_WRITE'] } }, await ws.keyWith(['apikeys:write']));
    expect(tooMuch.data.createApiKey.fields[0]).toMatchObject({ field: 'input.scopes' });

    const revoked = await ws.gql(`mutation ($id: ID!) { revokeApiKey(id: $id) { __typename ... on ApiKey { revokedAt } } }`, { id: apiKey.id });
    expect(revoked.data.revokeApiKey.revokedAt).toBeTruthy();
    const after = await ws.gql(`{ customers { totalCount } }`, {}, secret);
    expect(after.status).toBe(401);
  });

  it('a key revoked on one API node stops working on every other node at once', async () => {
    const ws = await app.workspace();
    const secret = await ws.keyWith(['customers:read']);
    const other = createApp({ db: app.db, pubsub: app.pubsub });
    const ask = () =>
      other.yoga.fetch('http://yoga/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
        body: JSON.stringify({ query: '{ viewer { apiKey { id } } }' }),
      });
    const before = (await (await ask()).json()) as any;
    const keyId = before.data.viewer.apiKey.id;
    await ws.gql(`mutation ($id: ID!) { revokeApiKey(id: $id) { __typename } }`, { id: keyId });
    await new Promise((r) => setTimeout(r, 20));
    expect((await ask()).status).toBe(401);
  });

  it('without credentials only sign-up and login are reachable', async () => {
    const r = await app.request(`{ customers { totalCount } }`);
    expect(r.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const bad = await app.request(`{ viewer { scopes } }`, {}, 'cy_not-a-real-key');
    expect(bad.status).toBe(401);
  });
});
