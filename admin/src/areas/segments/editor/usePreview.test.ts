import { describe, expect, it, vi } from 'vitest';
import { defineComponent, h, ref } from 'vue';
import { mount } from '@vue/test-utils';
import type { SegmentDefinition } from '../rules/definition';
import { usePreview } from './usePreview';

// A client whose answers the test releases one by one, in any order.
function fakeClient() {
  const calls: Array<{ variables: { definition: SegmentDefinition }; resolve: (data: unknown) => void }> = [];
  const client = {
    query: (_doc: unknown, variables: { definition: SegmentDefinition }) => ({
      toPromise: () => new Promise((resolve) => calls.push({ variables, resolve: (data) => resolve({ data }) })),
    }),
  };
  return { client, calls };
}

const def = (city: string): SegmentDefinition => ({ version: 1, root: { kind: 'attribute', field: 'city', operator: 'equals', value: city } });
const preview = (count: number) => ({ previewSegment: { __typename: 'SegmentPreview', count, customers: [] } });

function setup() {
  const { client, calls } = fakeClient();
  const definition = ref<SegmentDefinition | null>(def('上海'));
  let state!: ReturnType<typeof usePreview>;
  mount(defineComponent({ setup: () => ((state = usePreview(definition, 300)), () => h('div')) }), { global: { provide: { $urql: ref(client) } } });
  return { calls, definition, state: () => state };
}

describe('live preview', () => {
  it('waits for a pause in editing, then asks once for the latest definition', async () => {
    vi.useFakeTimers();
    const { calls, definition, state } = setup();
    definition.value = def('北京');
    await vi.advanceTimersByTimeAsync(100);
    definition.value = def('杭州');
    await vi.advanceTimersByTimeAsync(299);
    expect(calls).toHaveLength(0);
    expect(state().pending.value).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.map((c) => c.variables.definition)).toEqual([def('杭州')]);
    calls[0]!.resolve(preview(7));
    await vi.runAllTimersAsync();
    expect(state().count.value).toBe(7);
    expect(state().pending.value).toBe(false);
    vi.useRealTimers();
  });

  it('drops an answer that arrives after a newer question was sent, and puts API errors under their paths', async () => {
    vi.useFakeTimers();
    const { calls, definition, state } = setup();
    await vi.advanceTimersByTimeAsync(300);
    definition.value = def('北京');
    await vi.advanceTimersByTimeAsync(300);
    expect(calls).toHaveLength(2);
    calls[1]!.resolve(preview(3));
    await vi.runAllTimersAsync();
    calls[0]!.resolve(preview(99)); // the older, slower answer
    await vi.runAllTimersAsync();
    expect(state().count.value).toBe(3);

    definition.value = { version: 1, root: { kind: 'tags', match: 'any', tagIds: [] } };
    await vi.advanceTimersByTimeAsync(300);
    calls[2]!.resolve({ previewSegment: { __typename: 'ValidationError', message: 'x', fields: [{ path: ['definition', 'root', 'tagIds'], message: 'name at least one tag' }] } });
    await vi.runAllTimersAsync();
    expect(state().errors.value).toEqual({ 'root.tagIds': 'name at least one tag' });
    expect(state().count.value).toBeNull();
    vi.useRealTimers();
  });
});
