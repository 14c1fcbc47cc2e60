import { describe, expect, it } from 'vitest';
import { Lanes } from './lanes.ts';

const settled = async (p: Promise<unknown>, ms = 30) => Promise.race([p.then(() => true), new Promise((r) => setTimeout(() => r(false), ms))]);

describe('worker lanes', () => {
  it('a nudge wakes one idle loop of its lane only, after the gathering pause', async () => {
    const lanes = new Lanes(5);
    const stepA = lanes.idle('step', 10_000);
    const stepB = lanes.idle('step', 10_000);
    const campaigns = lanes.idle('campaigns', 10_000);
    lanes.nudge('step');
    expect(await settled(stepA)).toBe(true);
    expect(await settled(stepB)).toBe(false);
    expect(await settled(campaigns)).toBe(false);
    lanes.nudge('step');
    expect(await settled(stepB)).toBe(true);
    lanes.wakeAll();
    expect(await settled(campaigns)).toBe(true);
  });

  it('a nudge while every loop of the lane is busy is kept for the next one to go idle', async () => {
    const lanes = new Lanes(0);
    lanes.nudge('outbox');
    expect(await settled(lanes.idle('outbox', 10_000), 5)).toBe(true);
    // Used once: the loop after it sleeps.
    expect(await settled(lanes.idle('outbox', 10_000), 20)).toBe(false);
    lanes.wakeAll();
  });

  it('an idle loop wakes by itself after its poll interval, and a later nudge goes to a loop still waiting', async () => {
    const lanes = new Lanes(0);
    const short = lanes.idle('step', 5);
    expect(await settled(short, 50)).toBe(true);
    const long = lanes.idle('step', 10_000);
    lanes.nudge('step');
    expect(await settled(long)).toBe(true);
  });
});
