import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../src/testing.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app?.close();
});

const ERR = `__typename ... on Error { code message } ... on ValidationError { fields { field message } } ... on NotFoundError { field }`;
const SIGN_UP = `mutation ($input: SignUpInput!) { signUp(input: $input) { ... on SessionPayload { token } } }`;
const INVITE = `mutation ($input: InviteMemberInput!) { inviteMember(input: $input) { __typename ... on InvitationPayload { token } } }`;
const ACCEPT = `mutation ($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { ... on SessionPayload { token } } }`;
const MEMBERS = `{ workspace { members(first: 50) { totalCount edges { node { id role member { email } } } } invitations { id email role } } }`;
const CHANGE = `mutation ($id: ID!, $role: Role!) { changeMemberRole(id: $id, role: $role) { ${ERR} ... on Membership { id role } } }`;
const REMOVE = `mutation ($id: ID!) { removeMember(id: $id) { ${ERR} ... on Deleted { deletedId } } }`;
const REVOKE_INVITATION = `mutation ($id: ID!) { revokeInvitation(id: $id) { ${ERR} ... on Deleted { deletedId } } }`;

let n = 0;
const email = (who: string) => `${who}${Date.now()}${n++}@example.com`;
const PASSWORD = 'correct horse battery';

/** A workspace with its owner's session, and a way to add members with a role through invitations. */
async function team() {
  const ownerEmail = email('owner');
  const owner = (await app.request(SIGN_UP, { input: { workspaceName: '花漾', name: '林', email: ownerEmail, password: PASSWORD } })).data.signUp.token as string;
  const as = (token: string) => (query: string, variables?: Record<string, unknown>) => app.request(query, variables, token);
  async function join(role: string, who = role) {
    const address = email(who);
    const { token } = (await app.request(INVITE, { input: { email: address, role } }, owner)).data.inviteMember;
    const session = (await app.request(ACCEPT, { input: { token, name: who, password: PASSWORD } })).data.acceptInvitation.token as string;
    return { email: address, token: session };
  }
  async function membershipOf(address: string): Promise<string> {
    const edges = (await app.request(MEMBERS, {}, owner)).data.workspace.members.edges as Array<{ node: { id: string; member: { email: string } } }>;
    return edges.find((e) => e.node.member.email === address)!.node.id;
  }
  return { owner: as(owner), ownerEmail, ownerToken: owner, as, join, membershipOf };
}

describe('members and roles', () => {
  it('lists members with roles, changes a role, and the member then holds the new role’s scopes', async () => {
    const t = await team();
    const analyst = await t.join('analyst');
    const list = (await t.owner(MEMBERS)).data.workspace.members;
    expect(list.totalCount).toBe(2);
    expect(list.edges.map((e: any) => [e.node.member.email, e.node.role])).toEqual([
      [t.ownerEmail, 'owner'],
      [analyst.email, 'analyst'],
    ]);
    const before = (await t.as(analyst.token)('{ viewer { scopes } }')).data.viewer.scopes;
    expect(before).not.toContain('CUSTOMERS_WRITE');
    const id = await t.membershipOf(analyst.email);
    expect((await t.owner(CHANGE, { id, role: 'marketer' })).data.changeMemberRole).toEqual({ __typename: 'Membership', id, role: 'marketer' });
    expect((await t.as(analyst.token)('{ viewer { scopes } }')).data.viewer.scopes).toContain('CUSTOMERS_WRITE');
  });

  it('only an owner makes an owner or touches one; an admin manages the others', async () => {
    const t = await team();
    const admin = await t.join('admin');
    const marketer = await t.join('marketer');
    const asAdmin = t.as(admin.token);
    const marketerId = await t.membershipOf(marketer.email);
    const ownerId = await t.membershipOf(t.ownerEmail);

    const promote = (await asAdmin(CHANGE, { id: marketerId, role: 'owner' })).data.changeMemberRole;
    expect(promote).toMatchObject({ __typename: 'ValidationError', code: 'INVALID_INPUT', fields: [{ field: 'role', message: expect.stringContaining('only an owner') }] });
    expect((await asAdmin(CHANGE, { id: ownerId, role: 'analyst' })).data.changeMemberRole).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'role' }] });
    expect((await asAdmin(REMOVE, { id: ownerId })).data.removeMember).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'id', message: expect.stringContaining('only an owner') }] });
    expect((await asAdmin(CHANGE, { id: marketerId, role: 'analyst' })).data.changeMemberRole).toMatchObject({ __typename: 'Membership', role: 'analyst' });
    // A marketer may not manage members at all.
    const denied = await t.as(marketer.token)(CHANGE, { id: marketerId, role: 'admin' });
    expect(denied.errors?.[0]?.message).toMatch(/not authorized|scope/i);
    expect((await t.owner(CHANGE, { id: marketerId, role: 'owner' })).data.changeMemberRole).toMatchObject({ __typename: 'Membership', role: 'owner' });
  });

  it('the last owner can be neither demoted nor removed, until another owner exists', async () => {
    const t = await team();
    const ownerId = await t.membershipOf(t.ownerEmail);
    const demote = (await t.owner(CHANGE, { id: ownerId, role: 'admin' })).data.changeMemberRole;
    expect(demote).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'role', message: expect.stringContaining('needs an owner') }] });
    expect((await t.owner(REMOVE, { id: ownerId })).data.removeMember).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'id', message: expect.stringContaining('needs an owner') }] });

    const second = await t.join('owner', 'second');
    expect((await t.owner(CHANGE, { id: ownerId, role: 'admin' })).data.changeMemberRole).toMatchObject({ __typename: 'Membership', role: 'admin' });
    const secondId = await t.membershipOf(second.email);
    expect((await t.as(second.token)(REMOVE, { id: secondId })).data.removeMember).toMatchObject({ __typename: 'ValidationError' });
  });

  it('a removed member’s session stops working at once; unknown and foreign memberships are not found', async () => {
    const t = await team();
    const marketer = await t.join('marketer');
    const id = await t.membershipOf(marketer.email);
    expect((await t.owner(REMOVE, { id })).data.removeMember).toEqual({ __typename: 'Deleted', deletedId: id });
    const after = await t.as(marketer.token)('{ viewer { scopes } }');
    expect(after.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await t.owner(MEMBERS)).data.workspace.members.totalCount).toBe(1);

    const other = await team();
    const foreignId = await other.membershipOf(other.ownerEmail);
    expect((await t.owner(REMOVE, { id: foreignId })).data.removeMember).toMatchObject({ __typename: 'NotFoundError', field: 'id' });
    expect((await t.owner(CHANGE, { id: 'nope', role: 'admin' })).data.changeMemberRole).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'id' }] });
    expect((await other.owner(MEMBERS)).data.workspace.members.totalCount).toBe(1);
  });

  it('lists pending invitations and revokes one, whose token then no longer works', async () => {
    const t = await team();
    const address = email('invitee');
    const { token } = (await t.owner(INVITE, { input: { email: address, role: 'analyst' } })).data.inviteMember;
    const pending = (await t.owner(MEMBERS)).data.workspace.invitations;
    expect(pending).toEqual([{ id: expect.any(String), email: address, role: 'analyst' }]);
    expect((await t.owner(REVOKE_INVITATION, { id: pending[0].id })).data.revokeInvitation).toEqual({ __typename: 'Deleted', deletedId: pending[0].id });
    expect((await t.owner(MEMBERS)).data.workspace.invitations).toEqual([]);
    const accept = await app.request(`mutation ($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { __typename } }`, { input: { token, name: 'x', password: PASSWORD } });
    expect(accept.data.acceptInvitation.__typename).toBe('ValidationError');
    expect((await t.owner(REVOKE_INVITATION, { id: pending[0].id })).data.revokeInvitation).toMatchObject({ __typename: 'NotFoundError' });
  });
});
