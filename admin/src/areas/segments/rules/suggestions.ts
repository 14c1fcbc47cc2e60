// Values seen in the workspace (event types, channels, SKUs, categories, platforms, custom attribute
// keys), offered while typing a condition. Provided once by the page, read by any condition editor.
import { computed, inject, provide, type ComputedRef, type Ref } from 'vue';

export interface Suggestions {
  eventTypes: string[];
  channels: string[];
  skus: string[];
  categories: string[];
  platforms: string[];
  attributeKeys: string[];
}

const KEY = Symbol('segment-suggestions');
const none = (): Suggestions => ({ eventTypes: [], channels: [], skus: [], categories: [], platforms: [], attributeKeys: [] });

export function provideSuggestions(value: Ref<Suggestions | null | undefined>): void {
  provide(KEY, value);
}

export function useSuggestions(): ComputedRef<Suggestions> {
  const provided = inject<Ref<Suggestions | null | undefined> | null>(KEY, null);
  return computed(() => provided?.value ?? none());
}
