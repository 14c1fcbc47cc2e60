// The live estimate of a definition being edited: previewSegment after a short pause in typing;
// a response that arrives after a newer request was sent is dropped, so the count never jumps back.
import { onBeforeUnmount, ref, watch, type Ref } from 'vue';
import { useClientHandle } from '@urql/vue';
import type { SegmentDefinition } from '../rules/definition';
import { definitionErrors, type PathErrors } from '../rules/definition';
import { PreviewSegmentQuery } from '../operations';

export interface PreviewCustomer {
  id: string;
  name?: string | null;
  phone?: string | null;
  email?: string | null;
  city?: string | null;
}

export function usePreview(definition: Ref<SegmentDefinition | null>, delayMs = 400) {
  const { client } = useClientHandle();
  const count = ref<number | null>(null);
  const customers = ref<PreviewCustomer[]>([]);
  const errors = ref<PathErrors>({});
  const failure = ref<string | null>(null);
  const pending = ref(false);
  let sent = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function run(def: SegmentDefinition) {
    const seq = ++sent;
    const res = await client.query(PreviewSegmentQuery, { definition: def, first: 10 }, { requestPolicy: 'network-only' }).toPromise();
    if (seq !== sent) return; // a newer request is on its way
    pending.value = false;
    const r = res.data?.previewSegment;
    if (res.error || !r) {
      failure.value = res.error?.message.replace(/^\[(GraphQL|Network)\]\s*/, '') ?? null;
      return;
    }
    failure.value = null;
    if (r.__typename === 'SegmentPreview') {
      count.value = r.count;
      customers.value = r.customers;
      errors.value = {};
    } else if (r.__typename === 'ValidationError') {
      count.value = null;
      customers.value = [];
      errors.value = definitionErrors(r.fields, ['definition']);
    }
  }

  watch(
    definition,
    (def) => {
      clearTimeout(timer);
      if (!def) return;
      pending.value = true;
      timer = setTimeout(() => void run(def), delayMs);
    },
    { immediate: true, deep: true },
  );
  onBeforeUnmount(() => {
    clearTimeout(timer);
    sent += 1;
  });
  return { count, customers, errors, failure, pending };
}
