import { ManualClock } from '../clock.ts';
import { WeComClient, type WeComClientOptions } from '../client.ts';
import { startWeComStandIn, type WeComStandIn, type WeComStandInOptions } from './index.ts';

export const TEST_CORP = { corpId: 'wwcourtyardtest0001', token: 'courtyardToken', encodingAesKey: 'Q291cnR5YXJkVGVzdEtleUNvdXJ0eWFyZFRlc3RLZXk' } as const;

/**
 * A stand-in on a free port and a client for it, both on one manual clock: a client that waits
 * out a rate limit moves the stand-in's time too, so no test waits for real.
 */
export async function startTestStandIn(options: Partial<WeComStandInOptions> = {}, staff = ['zhangsan', 'lisi', 'wangwu']) {
  const clock = new ManualClock();
  const standIn: WeComStandIn = await startWeComStandIn({ ...TEST_CORP, clock, ...options });
  for (const userid of staff) standIn.addStaff({ userid });
  /** Every errcode the stand-in answered, in order, as the client saw it. */
  const answers: number[] = [];
  const recordingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const body = (await response.clone().json()) as { errcode?: number };
    answers.push(body.errcode ?? NaN);
    return response;
  };
  const client = (overrides: Partial<WeComClientOptions> = {}) =>
    new WeComClient({ corpId: TEST_CORP.corpId, secret: 'standin-secret', baseUrl: standIn.url, clock, fetch: recordingFetch, ...overrides });
  return { standIn, clock, client, answers };
}
