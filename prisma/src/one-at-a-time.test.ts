import { describe, expect, it } from 'vitest';
import { oneAtATime } from './one-at-a-time.ts';

describe('oneAtATime', () => {
  it('never runs a key twice at once; requests during a run make exactly one more run; other keys run alongside', async () => {
    const run = oneAtATime<string>();
    let active = 0;
    let most = 0;
    const runs: string[] = [];
    const work = (key: string) => async () => {
      active++;
      most = Math.max(most, active);
      runs.push(key);
      await new Promise((r) => setTimeout(r, 20));
      active--;
    };
    const first = run('a', work('a'));
    const during = [run('a', work('a')), run('a', work('a')), run('b', work('b'))];
    await Promise.all([first, ...during]);
    expect(runs.filter((k) => k === 'a')).toHaveLength(2);
    expect(runs.filter((k) => k === 'b')).toHaveLength(1);
    expect(most).toBe(2); // a and b side by side, never a twice
    await run('a', work('a'));
    expect(runs.filter((k) => k === 'a')).toHaveLength(3);
  });

  it('passes a failure to the requests of that run, and the next request runs again', async () => {
    const run = oneAtATime<number>();
    await expect(run(1, () => Promise.reject(new Error('busy')))).rejects.toThrow('busy');
    let ran = false;
    await run(1, async () => void (ran = true));
    expect(ran).toBe(true);
  });
});
