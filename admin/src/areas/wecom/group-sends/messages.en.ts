import type zhCN from './messages.zh-CN';

const en: typeof zhCN = {
  intro: 'A group-chat mass send goes out only after the group owner confirms it in WeCom: one task per owner, waiting for them, then sent, partly sent or not sent (expired unconfirmed)',
  create: 'New group send',
  howItWorks: 'Each owner gets a task and sends it to the chosen groups on confirming; without chat ids it goes to all of that owner’s customer groups',
  owners: 'Group owners',
  ownersHelp: 'Only active staff with a WeCom userid',
  chats: 'Groups',
  chatsPlaceholder: 'WeCom customer group ids (chat_id), one a line',
  chatsHelp: 'Empty: all of each owner’s customer groups',
  chatsCount: '{n} groups',
  text: 'Text',
  textHelp: '{n} / 4000 bytes',
  submit: 'Send to owners to confirm',
  rejected: 'WeCom refused the request: {message}',
  created: '{n} group sends created, waiting for the owners',
  createdSome: '{n} group sends created; not created for: {names}',
  allStatuses: 'All states',
  allOwners: 'All owners',
  empty: 'No group-chat sends yet',
  owner: 'Owner',
  status: 'Status',
  statuses: { creating: 'Creating', waiting: 'Waiting for the owner', sent: 'Sent', partly_sent: 'Partly sent', not_sent: 'Not sent' },
  groups: 'Groups',
  chatStates: { sent: 'sent', waiting: 'waiting', not_sent: 'not sent' },
  sentOf: 'sent {n}/{total}',
  allGroups: 'all groups · sent to {n}',
  more: 'and {n} more',
  createdAt: 'Created',
  expiresAt: 'Expires / settled',
};

export default en;
