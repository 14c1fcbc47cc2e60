// Unfinished drafts: the wizard saves a campaign at any step; its definition is checked in full
// only when it is scheduled or started, and the problems name the fields still to fill in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../src/testing.ts';
import { CAMPAIGN, CREATE, ERR, simple, START, world } from './campaign-fixtures.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app?.close();
});

const UPDATE = `mutation ($id: ID!, $patch: CampaignPatch!) { updateCampaign(id: $id, patch: $patch) { ${ERR} ... on Campaign { ${CAMPAIGN} } } }`;
const SCHEDULE = `mutation ($id: ID!, $at: DateTime) { scheduleCampaign(id: $id, at: $at) { ${ERR} ... on Campaign { status } } }`;
const fields = (r: any) => r.fields.map((f: any) => f.field).sort();

describe('incomplete drafts', () => {
  it('a draft with only its audience is saved as written, with segment ids as database ids', async () => {
    const ws = await app.workspace();
    const w = await world(ws, 3);
    const r = await ws.gql(CREATE, { input: { name: '写到一半', incomplete: true, definition: { audience: { segmentIds: [w.segmentId] } } } });
    expect(r.data.createCampaign).toMatchObject({ __typename: 'Campaign', status: 'draft' });
    const segmentUuid = Buffer.from(w.segmentId, 'base64').toString().split(':')[1];
    expect(r.data.createCampaign.definition).toEqual({ audience: { segmentIds: [segmentUuid] } });
    // Without `incomplete` the same definition is refused, naming what is missing.
    const checked = await ws.gql(CREATE, { input: { name: '写到一半 2', definition: { audience: { segmentIds: [w.segmentId] } } } });
    expect(checked.data.createCampaign.__typename).toBe('ValidationError');
    expect(fields(checked.data.createCampaign)).toEqual(['input.definition.content']);
  });

  it('scheduling or starting an unfinished draft is refused with the fields still to fill in; finished, it starts', async () => {
    const ws = await app.workspace();
    const w = await world(ws, 4);
    const made = await ws.gql(CREATE, {
      input: { name: '待完成', incomplete: true, definition: { audience: { segmentIds: [w.segmentId] }, content: { channelId: w.channelId, variants: [{ key: 'A', weight: 100, body: '' }] } } },
    });
    const id = made.data.createCampaign.id;
    const scheduled = await ws.gql(SCHEDULE, { id, at: new Date(Date.now() + 3_600_000).toISOString() });
    expect(scheduled.data.scheduleCampaign.__typename).toBe('ValidationError');
    expect(fields(scheduled.data.scheduleCampaign)).toEqual(['definition.content.variants.0.body']);
    const started = await ws.gql(START, { id });
    expect(fields(started.data.startCampaign)).toEqual(['definition.content.variants.0.body']);
    expect((await ws.gql(`query ($id: ID!) { campaign(id: $id) { status runs { totalCount } } }`, { id })).data.campaign).toEqual({ status: 'draft', runs: { totalCount: 0 } });

    const finished = await ws.gql(UPDATE, { id, patch: { definition: simple(w) } });
    expect(finished.data.updateCampaign).toMatchObject({ __typename: 'Campaign', status: 'draft' });
    expect((await ws.gql(START, { id })).data.startCampaign).toMatchObject({ __typename: 'StartCampaignPayload', planned: 4 });
  });

  it('only a draft may be saved incomplete', async () => {
    const ws = await app.workspace();
    const w = await world(ws, 2);
    const made = await ws.gql(CREATE, { input: { name: '已排期', definition: simple(w) } });
    const id = made.data.createCampaign.id;
    expect((await ws.gql(SCHEDULE, { id, at: new Date(Date.now() + 3_600_000).toISOString() })).data.scheduleCampaign.status).toBe('scheduled');
    const r = await ws.gql(UPDATE, { id, patch: { incomplete: true, definition: { audience: { segmentIds: [w.segmentId] } } } });
    expect(r.data.updateCampaign.__typename).toBe('ValidationError');
    expect(fields(r.data.updateCampaign)).toEqual(['patch.incomplete']);
  });

  it('a draft changes kind: recurring with its cron (refused without one), back to one-off with the cron dropped; a scheduled campaign keeps its kind', async () => {
    const ws = await app.workspace();
    const w = await world(ws, 2);
    const id = (await ws.gql(CREATE, { input: { name: '每日维护', incomplete: true, definition: { audience: { segmentIds: [w.segmentId] } } } })).data.createCampaign.id;
    const KIND = `mutation ($id: ID!, $patch: CampaignPatch!) { updateCampaign(id: $id, patch: $patch) { ${ERR} ... on Campaign { kind cron } } }`;
    const noCron = (await ws.gql(KIND, { id, patch: { kind: 'recurring' } })).data.updateCampaign;
    expect(fields(noCron)).toEqual(['patch.cron']);
    expect((await ws.gql(KIND, { id, patch: { kind: 'recurring', cron: '0 10 * * *' } })).data.updateCampaign).toEqual({ __typename: 'Campaign', kind: 'recurring', cron: '0 10 * * *' });
    expect((await ws.gql(KIND, { id, patch: { kind: 'one_off' } })).data.updateCampaign).toEqual({ __typename: 'Campaign', kind: 'one_off', cron: null });
    const scheduled = (await ws.gql(CREATE, { input: { name: '定时', definition: simple(w) } })).data.createCampaign.id;
    await ws.gql(SCHEDULE, { id: scheduled, at: new Date(Date.now() + 3_600_000).toISOString() });
    expect(fields((await ws.gql(KIND, { id: scheduled, patch: { kind: 'recurring', cron: '0 10 * * *' } })).data.updateCampaign)).toEqual(['patch.kind']);
  });
});
