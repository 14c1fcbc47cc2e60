// The customer table's columns, drawn with render functions (Naive UI's data table takes them so).
import { h } from 'vue';
import { NAvatar, NIcon, NTag, NTooltip, type DataTableColumns } from 'naive-ui';
import { BanOutline, CallOutline, ChatbubblesOutline, MailOutline, NotificationsOffOutline } from '@vicons/ionicons5';
import type { CustomerListQuery } from '@/gql/graphql';
import { formatDate, formatMoney, formatNumber, formatRelative, formatDateTime } from '@/format';
import type { CustomerSortField } from '@/gql/graphql';

export type CustomerRow = CustomerListQuery['customers']['edges'][number]['node'];
type T = (key: string, values?: Record<string, unknown>) => string;

/** A tag chip in its own colour (a light fill of it), or the default look without one. */
export function tagChip(tag: { id: string; name: string; color?: string | null }, extra: Record<string, unknown> = {}) {
  const color = tag.color ? { color: `${tag.color}1f`, textColor: tag.color, borderColor: `${tag.color}66` } : undefined;
  return h(NTag, { size: 'small', round: true, bordered: true, color, key: tag.id, 'data-testid': 'tag-chip', ...extra }, { default: () => tag.name });
}

const MAX_CHIPS = 3;

function reachIcon(icon: typeof CallOutline, label: string, active: boolean) {
  return h(NTooltip, null, {
    trigger: () => h(NIcon, { size: 16, color: active ? '#18a058' : '#d0d3d6', style: 'margin-right: 6px' }, { default: () => h(icon) }),
    default: () => label,
  });
}

export function channelLabel(t: T, te: (key: string) => boolean, channel: string | null | undefined): string {
  if (!channel) return '—';
  return te(`customers.channel.${channel}`) ? t(`customers.channel.${channel}`) : channel;
}

export function customerColumns(t: T, te: (key: string) => boolean, sort: { field: CustomerSortField; order: 'ascend' | 'descend' }): DataTableColumns<CustomerRow> {
  const sortOrder = (field: CustomerSortField) => (sort.field === field ? sort.order : false);
  return [
    { type: 'selection', fixed: 'left', width: 44 },
    {
      key: 'NAME',
      title: t('customers.table.customer'),
      fixed: 'left',
      width: 180,
      sorter: true,
      sortOrder: sortOrder('NAME'),
      render: (row) =>
        h('div', { class: 'who' }, [
          h(NAvatar, { round: true, size: 32, style: `background:${avatarColor(row.id)}` }, { default: () => (row.name ?? '?').slice(0, 1) }),
          h('div', { class: 'who-text' }, [
            h('div', { class: 'who-name', 'data-testid': 'customer-name' }, [
              row.name ?? t('customers.anonymous'),
              row.blacklisted ? h(NTag, { size: 'tiny', type: 'error', bordered: false, style: 'margin-left:6px' }, { default: () => t('customers.table.blacklisted') }) : null,
            ]),
            h('div', { class: 'who-sub' }, row.phone ?? row.email ?? row.wecomExternalId ?? '—'),
          ]),
        ]),
    },
    {
      key: 'tags',
      title: t('customers.table.tags'),
      minWidth: 140,
      render: (row) =>
        h('div', { class: 'chips', 'data-testid': 'row-tags' }, [
          ...row.tags.slice(0, MAX_CHIPS).map((tag) => tagChip(tag)),
          row.tags.length > MAX_CHIPS
            ? h(NTooltip, null, {
                trigger: () => h(NTag, { size: 'small', round: true }, { default: () => t('customers.table.moreTags', { n: row.tags.length - MAX_CHIPS }) }),
                default: () => row.tags.slice(MAX_CHIPS).map((x) => x.name).join('、'),
              })
            : null,
        ]),
    },
    { key: 'stage', title: t('customers.table.stage'), width: 70, render: (row) => t(`customers.stage.${row.lifecycleStage}`) },
    { key: 'channel', title: t('customers.table.channel'), width: 86, ellipsis: { tooltip: true }, render: (row) => channelLabel(t, te, row.sourceChannel) },
    {
      key: 'reach',
      title: t('customers.table.reach'),
      width: 90,
      render: (row) =>
        h('div', { class: 'reach' }, [
          reachIcon(CallOutline, t('customers.fields.phone'), !!row.phone),
          reachIcon(ChatbubblesOutline, t('customers.identity.wecom'), !!row.wecomExternalId),
          reachIcon(MailOutline, t('customers.fields.email'), !!row.email),
          !row.marketingConsent ? reachIcon(NotificationsOffOutline, t('customers.table.noConsent'), true) : null,
          row.blacklisted ? reachIcon(BanOutline, t('customers.table.blacklisted'), true) : null,
        ]),
    },
    { key: 'orders', title: t('customers.table.orders'), width: 64, align: 'right', render: (row) => formatNumber(row.orderCount) },
    { key: 'TOTAL_SPENT', title: t('customers.table.spent'), width: 100, align: 'right', sorter: true, sortOrder: sortOrder('TOTAL_SPENT'), render: (row) => formatMoney(Number(row.totalSpent)) },
    {
      key: 'LAST_ORDER_AT',
      title: t('customers.table.lastOrder'),
      width: 100,
      sorter: true,
      sortOrder: sortOrder('LAST_ORDER_AT'),
      render: (row) =>
        row.lastOrderAt
          ? h(NTooltip, null, { trigger: () => h('span', formatRelative(row.lastOrderAt)), default: () => formatDateTime(row.lastOrderAt) })
          : h('span', { class: 'muted' }, t('customers.table.noOrders')),
    },
    { key: 'CREATED_AT', title: t('customers.table.created'), width: 126, sorter: true, sortOrder: sortOrder('CREATED_AT'), render: (row) => formatDate(row.createdAt) },
  ];
}

const PALETTE = ['#5b8ff9', '#61ddaa', '#f6bd16', '#7262fd', '#78d3f8', '#9661bc', '#f6903d', '#008685', '#f08bb4'];
export function avatarColor(id: string): string {
  let n = 0;
  for (const c of id) n = (n * 31 + c.charCodeAt(0)) >>> 0;
  return PALETTE[n % PALETTE.length]!;
}
