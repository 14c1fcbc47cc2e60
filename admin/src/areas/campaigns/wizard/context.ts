// What every wizard step shares: the state, the workspace's channels and staff, the live audience
// estimate, and the problems to show next to each field (the wizard's own checks once a step was
// left or checked, and the API's from the last save, check or start).
import { computed, inject, provide, reactive, ref, watch, type InjectionKey, type Ref } from 'vue';
import { useQuery } from '@urql/vue';
import { useI18n } from 'vue-i18n';
import { graphql } from '@/gql';
import { fieldErrors } from '@/graphql/errors';
import { cronOf, definitionFromState, emptyState, stepOfField, stepProblems, STEPS, wizardField, type StepKey, type WizardState } from './state';

const WizardResources = graphql(`
  query CampaignWizardResources {
    channels { id channelId name type enabled }
    staff { id staffId name wecomUserId active perMinuteLimit perDayLimit }
    workspace { id timeZone }
  }
`);

export const EstimateAudience = graphql(`
  query CampaignEstimate($definition: JSONObject!, $campaignId: ID) {
    estimateAudience(definition: $definition, campaignId: $campaignId) {
      __typename
      ... on AudienceEstimate { inSegments excludedBySegments blacklisted noConsent riskTagged overFrequencyCap audience holdout toSend }
      ... on Error { message code }
      ... on ValidationError { fields { field message } }
      ... on NotFoundError { field }
    }
  }
`);

/** Waits until `source` has been still for `ms` before passing it on. */
function debounced<T>(source: () => T, ms: number): Ref<T> {
  const out = ref(source()) as Ref<T>;
  let timer: ReturnType<typeof setTimeout> | undefined;
  watch(source, (v) => {
    clearTimeout(timer);
    timer = setTimeout(() => (out.value = v), ms);
  }, { deep: true });
  return out;
}

export function createWizard(initial: WizardState = emptyState()) {
  const { t } = useI18n();
  const state = reactive<WizardState>(initial);
  const campaignId = ref<string | null>(null);
  /** The stored campaign's kind; only a draft may still change it. */
  const savedKind = ref<'one_off' | 'recurring' | null>(null);
  /** Whether the kind is fixed (the campaign was scheduled or has run). */
  const kindLocked = ref(false);
  const resources = useQuery({ query: WizardResources });
  const channels = computed(() => resources.data.value?.channels ?? []);
  const staff = computed(() => resources.data.value?.staff ?? []);
  /** The workspace's time zone: cron expressions and send windows are read in it. */
  const timeZone = computed(() => resources.data.value?.workspace?.timeZone ?? 'Asia/Shanghai');

  /** Steps whose own problems are shown (the marketer tried to leave them, or to send). */
  const checked = reactive(new Set<StepKey>());
  /** The API's problems by wizard field, from the last call. */
  const apiErrors = ref<Record<string, string>>({});

  const clientErrors = computed(() => {
    const out: Record<string, string> = {};
    for (const step of checked) {
      for (const [field, p] of Object.entries(stepProblems(state, step))) out[field] = t(`campaigns.wizard.errors.${p.key}`, p.params ?? {});
    }
    return out;
  });
  const errors = computed(() => ({ ...apiErrors.value, ...clientErrors.value }));
  const errorFor = (field: string): string | undefined => errors.value[field];
  const status = (field: string) => (errors.value[field] ? ('error' as const) : undefined);
  const problemsOn = (step: StepKey) => Object.keys(errors.value).filter((f) => stepOfField(f) === step).length;

  /** Shows an API result's field problems next to their fields; true when it had any. */
  function setApiErrors(result: unknown): boolean {
    const raw = fieldErrors(result, '');
    apiErrors.value = Object.fromEntries(Object.entries(raw).map(([k, v]) => [wizardField(k), v]));
    return Object.keys(raw).length > 0;
  }

  // An API problem goes away once the marketer changes something on its step.
  let lastByStep = snapshotSteps();
  watch(() => snapshotSteps(), (now) => {
    const changed = STEPS.filter((s) => now[s] !== lastByStep[s]);
    lastByStep = now;
    if (!changed.length) return;
    apiErrors.value = Object.fromEntries(Object.entries(apiErrors.value).filter(([f]) => !changed.includes(stepOfField(f))));
  });
  function snapshotSteps(): Record<StepKey, string> {
    const d = definitionFromState(state);
    return {
      audience: JSON.stringify([state.name, state.description, d.audience]),
      content: JSON.stringify(d.content),
      senders: JSON.stringify(d.senderStaffIds),
      schedule: JSON.stringify([d.windows, d.attributionHours, state.sendMode, state.scheduledAt, cronOf(state)]),
      review: '',
    };
  }

  // The estimate needs only the audience and whether the message is marketing; the rest of the
  // definition may still be unfinished, so a placeholder message on a real channel stands in.
  const estimateChannel = computed(() => state.channelId ?? channels.value.find((c) => c.enabled)?.channelId ?? null);
  const estimateDefinition = computed(() =>
    state.segmentIds.length && estimateChannel.value
      ? {
          audience: { segmentIds: state.segmentIds, excludeSegmentIds: state.excludeSegmentIds, holdoutPercent: state.holdoutPercent },
          content: { channelId: estimateChannel.value, variants: [{ key: 'A', weight: 100, body: '-' }], marketing: state.marketing },
        }
      : null,
  );
  const estimateInput = debounced(() => estimateDefinition.value, 350);
  const estimateQuery = useQuery({
    query: EstimateAudience,
    variables: computed(() => ({ definition: estimateInput.value ?? {}, campaignId: campaignId.value })),
    pause: computed(() => !estimateInput.value),
    requestPolicy: 'network-only',
  });
  const estimate = computed(() => {
    const r = estimateQuery.data.value?.estimateAudience;
    return r?.__typename === 'AudienceEstimate' && estimateInput.value ? r : null;
  });
  const estimateProblem = computed(() => {
    const r = estimateQuery.data.value?.estimateAudience;
    if (!r || r.__typename === 'AudienceEstimate') return null;
    const fields = fieldErrors(r, '');
    return Object.values(fields)[0] ?? ('message' in r ? r.message : null);
  });

  return {
    state,
    campaignId,
    savedKind,
    kindLocked,
    resources,
    channels,
    staff,
    timeZone,
    checked,
    apiErrors,
    errors,
    errorFor,
    status,
    problemsOn,
    setApiErrors,
    estimate,
    estimateProblem,
    estimating: computed(() => estimateQuery.fetching.value || JSON.stringify(estimateInput.value) !== JSON.stringify(estimateDefinition.value)),
    noChannel: computed(() => resources.data.value != null && !estimateChannel.value),
  };
}

export type Wizard = ReturnType<typeof createWizard>;
const KEY: InjectionKey<Wizard> = Symbol('campaign-wizard');

export function provideWizard(wizard: Wizard): void {
  provide(KEY, wizard);
}

export function useWizard(): Wizard {
  const wizard = inject(KEY);
  if (!wizard) throw new Error('useWizard() outside the campaign wizard');
  return wizard;
}
