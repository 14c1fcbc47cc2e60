// What node components read besides their own JSON: the node catalog, live counts, issues and the
// simulated path. The page provides it once; each node looks up its own id.
import { inject, provide, type ComputedRef, type InjectionKey } from 'vue';
import type { Locale } from './ports';
import type { NodeCounts, NodeIssue, NodeType, SimulatedVisit } from './model';

export interface BuilderView {
  locale: ComputedRef<Locale>;
  typeOf(typeId: string): NodeType | undefined;
  counts: ComputedRef<Map<string, NodeCounts>>;
  issues: ComputedRef<Map<string, NodeIssue[]>>;
  visits: ComputedRef<Map<string, SimulatedVisit[]>>;
  /** Whether live counts are worth showing (the journey was published). */
  live: ComputedRef<boolean>;
}

const KEY: InjectionKey<BuilderView> = Symbol('journey-builder-view');

export function provideBuilderView(view: BuilderView): void {
  provide(KEY, view);
}

export function useBuilderView(): BuilderView {
  const view = inject(KEY);
  if (!view) throw new Error('journey nodes are drawn inside the builder');
  return view;
}
