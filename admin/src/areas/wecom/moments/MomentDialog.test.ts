import { afterEach, describe, expect, it, vi } from 'vitest';
import type { VueWrapper } from '@vue/test-utils';
import { NSelect } from 'naive-ui';
import MomentDialog from './MomentDialog.vue';
import { mountWith, testid, type, until } from '../test-support';
import { moment, momentAnswers } from './moments-fixtures';

const select = (wrapper: VueWrapper, id: string) => wrapper.findAllComponents(NSelect).find((c) => c.attributes('data-testid') === id)!;
const today = new Map([['zhangsan', 3], ['lisi', 1]]);

let unmount = () => {};
afterEach(() => unmount());

describe('creating a moments task', () => {
  it('asks the chosen staff to publish text with a link card, showing where each stands today', async () => {
    const sent: unknown[] = [];
    const m = await mountWith(MomentDialog, { show: true, limit: 3, today }, {
      ...momentAnswers([]),
      CreateWeComMoment: (v) => (sent.push(v.input), { createWeComMoment: moment('M9', 'created', [['lisi', 'waiting']]) }),
    });
    unmount = () => m.wrapper.unmount();
    await until(() => expect(select(m.wrapper, 'moment-staff').props('options')).toEqual([
      { value: 'S1', label: '张三 (zhangsan) · 今天 3/3' }, { value: 'S2', label: '李四 (lisi) · 今天 1/3' }, { value: 'S3', label: '王五 (wangwu) · 今天 0/3' },
    ]));
    select(m.wrapper, 'moment-staff').vm.$emit('update:value', ['S2']);
    type('moment-text', '618 新品上市');
    testid('moment-attachment-link')!.querySelector('input')!.click();
    await until(() => expect(testid('moment-link-url')).not.toBeNull());
    type('moment-link-title', '618 预售');
    type('moment-link-url', 'https://shop.example.com/618');
    type('moment-link-media', 'media-cover-1');
    await until(() => expect(testid('moment-submit')!.hasAttribute('disabled')).toBe(false));
    testid('moment-submit')!.click();
    await until(() => expect(sent).toEqual([{ staffIds: ['S2'], text: '618 新品上市', imageMediaIds: null, videoMediaId: null, link: { title: '618 预售', url: 'https://shop.example.com/618', mediaId: 'media-cover-1' } }]));
    await until(() => expect(m.wrapper.findComponent(MomentDialog).emitted('created')).toHaveLength(1));
  });

  it('uploads a picked image to WeCom through the API and sends its media_id; a refused file says why', async () => {
    const sent: unknown[] = [];
    const uploads: { operations: string; file: File }[] = [];
    let answer: unknown = { __typename: 'WeComMedia', mediaId: 'media-up-1', type: 'image', name: '海报.png', size: 9, expiresAt: '2025-06-04T02:00:00Z' };
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      const form = init.body as FormData;
      uploads.push({ operations: String(form.get('operations')), file: form.get('0') as File });
      expect(url).toBe('/graphql');
      return new Response(JSON.stringify({ data: { uploadWeComMedia: answer } }), { headers: { 'content-type': 'application/json' } });
    });
    const m = await mountWith(MomentDialog, { show: true, limit: 3, today }, {
      ...momentAnswers([]),
      CreateWeComMoment: (v) => (sent.push(v.input), { createWeComMoment: moment('M9', 'created', [['lisi', 'waiting']]) }),
    });
    unmount = () => (m.wrapper.unmount(), vi.unstubAllGlobals());
    select(m.wrapper, 'moment-staff').vm.$emit('update:value', ['S2']);
    testid('moment-attachment-images')!.querySelector('input')!.click();
    await until(() => expect(testid('moment-image-0-file')).not.toBeNull());
    const pick = (name: string, type: string) => {
      const picker = testid('moment-image-0-file') as HTMLInputElement;
      Object.defineProperty(picker, 'files', { value: [new File(['png-bytes'], name, { type })], configurable: true });
      picker.dispatchEvent(new Event('change'));
    };
    pick('海报.png', 'image/png');
    await until(() => expect(testid('moment-image-0-name')?.textContent).toBe('海报.png 已上传到企业微信'));
    expect(JSON.parse(uploads[0]!.operations)).toMatchObject({ variables: { file: null, type: 'image' } });
    expect(JSON.parse(uploads[0]!.operations).query).toContain('uploadWeComMedia');
    expect(uploads[0]!.file.name).toBe('海报.png');
    testid('moment-submit')!.click();
    await until(() => expect(sent).toEqual([{ staffIds: ['S2'], text: null, imageMediaIds: ['media-up-1'], videoMediaId: null, link: null }]));

    answer = { __typename: 'ValidationError', message: 'file: a.gif is not a JPG or PNG image', code: 'VALIDATION', fields: [{ field: 'file', message: 'a.gif is not a JPG or PNG image; WeCom takes only that for a moment\'s image' }] };
    pick('a.gif', 'image/gif');
    await until(() => expect(document.body.textContent).toContain('a.gif is not a JPG or PNG image'));
  });

  it("warns before sending to staff at today's limit, and explains the API's refusal under the staff, linking customers over it", async () => {
    const m = await mountWith(MomentDialog, { show: true, limit: 3, today }, {
      ...momentAnswers([]),
      CreateWeComMoment: () => ({ createWeComMoment: {
        __typename: 'WeComLimitError', code: 'WECOM_LIMIT', message: '2 customers of these staff members already get 3 brand moments today', field: 'input.staffIds', rule: 'moments_per_customer_day', limit: 3, over: ['Q3VzdG9tZXI6MQ==', 'Q3VzdG9tZXI6Mg=='],
      } }),
    });
    unmount = () => m.wrapper.unmount();
    await until(() => expect(select(m.wrapper, 'moment-staff').props('options')).toHaveLength(3));
    select(m.wrapper, 'moment-staff').vm.$emit('update:value', ['S1', 'S2']);
    type('moment-text', '周末福利');
    await until(() => expect(testid('moment-staff-item')!.textContent).toContain('张三今天已有 3 条朋友圈：他们的客户今天不能再看到更多，提交将被拒绝'));
    testid('moment-submit')!.click();
    await until(() => expect(testid('moment-staff-item')!.textContent).toContain('2 位客户今天已看到 3 条企业朋友圈（每位客户每天最多 3 条）。请换其他员工，或明天再发'));
    const links = [...testid('moment-over')!.querySelectorAll('a')].map((a) => a.getAttribute('href'));
    expect(links).toEqual(['/customers/Q3VzdG9tZXI6MQ%3D%3D', '/customers/Q3VzdG9tZXI6Mg%3D%3D']);
    expect(testid('moment-dialog-error')).toBeNull();
    expect(m.wrapper.findComponent(MomentDialog).emitted('created')).toBeUndefined();
  });
});
