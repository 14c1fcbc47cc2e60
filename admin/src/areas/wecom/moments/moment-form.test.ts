import { describe, expect, it } from 'vitest';
import { attachmentSummary, dayIn, emptyMomentForm, momentsPerStaff, toMomentInput } from './moment-form';

describe('moments form', () => {
  it('sends only the attachment picked: images without blanks, a video, or a link with its cover', () => {
    const form = { ...emptyMomentForm(), staffIds: ['S1'], text: ' 新品上市 ', attachment: 'images' as const, imageMediaIds: ['m1', ' ', 'm2'], videoMediaId: 'v1' };
    expect(toMomentInput(form)).toEqual({ staffIds: ['S1'], text: '新品上市', imageMediaIds: ['m1', 'm2'], videoMediaId: null, link: null });
    expect(toMomentInput({ ...form, attachment: 'link', link: { title: '', url: 'https://shop.example.com', mediaId: 'c1' } })).toEqual({
      staffIds: ['S1'], text: '新品上市', imageMediaIds: null, videoMediaId: null, link: { title: null, url: 'https://shop.example.com', mediaId: 'c1' },
    });
    expect(toMomentInput({ ...form, text: '', attachment: 'none' })).toEqual({ staffIds: ['S1'], text: null, imageMediaIds: null, videoMediaId: null, link: null });
  });

  it('summarises stored attachments as WeCom keeps them', () => {
    expect(attachmentSummary([{ msgtype: 'image', image: { media_id: 'a' } }, { msgtype: 'image', image: { media_id: 'b' } }])).toEqual({ kind: 'images', count: 2, title: null });
    expect(attachmentSummary([{ msgtype: 'link', link: { title: '618', url: 'https://x' } }])).toEqual({ kind: 'link', count: 1, title: '618' });
    expect(attachmentSummary([])).toEqual({ kind: 'none', count: 0, title: null });
  });

  it("counts each staff member's moments of the day, failed ones not", () => {
    const m = (day: string, status: string, staff: string[]) => ({ day, status, tasks: staff.map((staffUserId) => ({ staffUserId })) });
    expect([...momentsPerStaff([m('2025-06-01', 'settled', ['a', 'b']), m('2025-06-01', 'failed', ['a']), m('2025-06-01', 'publishing', ['a']), m('2025-05-31', 'settled', ['b'])], '2025-06-01')]).toEqual([['a', 2], ['b', 1]]);
    expect(dayIn('Asia/Shanghai', new Date('2025-06-01T17:00:00Z'))).toBe('2025-06-02');
  });
});
