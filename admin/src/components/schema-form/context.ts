// What every field of one form shares: the root schema (for $ref), pickers by field name, the
// problems of the whole value, errors from the API, which fields the user touched, and words.
import { inject, provide, type Component, type ComputedRef, type InjectionKey } from 'vue';
import type { FormLocale, FormProblem, JsonSchema, TemplateVariable } from './types';

export interface FormContext {
  root: ComputedRef<JsonSchema>;
  pickers: ComputedRef<Record<string, Component>>;
  problems: ComputedRef<Map<string, FormProblem>>;
  errors: ComputedRef<Record<string, string>>;
  showAll: ComputedRef<boolean>;
  touched: Set<string>;
  templateVariables: ComputedRef<TemplateVariable[]>;
  disabled: ComputedRef<boolean>;
  locale: ComputedRef<FormLocale>;
  t: (key: string, params?: Record<string, unknown>) => string;
  touch(path: string): void;
}

const KEY: InjectionKey<FormContext> = Symbol('schema-form');

export function provideForm(ctx: FormContext): void {
  provide(KEY, ctx);
}

export function useForm(): FormContext {
  const ctx = inject(KEY);
  if (!ctx) throw new Error('a schema field is used outside SchemaForm');
  return ctx;
}

/** The message under the field at `path`: the form's own (in the admin's language) once touched or shown all, else the API's. */
export function messageAt(ctx: FormContext, path: string): string | null {
  const problem = ctx.problems.value.get(path);
  const shown = problem && (ctx.showAll.value || ctx.touched.has(path));
  if (!shown) return ctx.errors.value[path] ?? null;
  if (problem.code === 'format') return ctx.t(problem.params?.format === 'uri' ? 'problem.formatUri' : 'problem.formatDateTime');
  if (problem.code === 'pattern' && String(problem.params?.pattern).includes('[0-5]\\d$')) return ctx.t('problem.time');
  return ctx.t(`problem.${problem.code}`, problem.params);
}
