import type zhCN from './zh-CN';

const en: typeof zhCN = {
  app: { name: 'Courtyard', tagline: 'Private-domain customer operations' },
  common: {
    save: 'Save', cancel: 'Cancel', create: 'New', edit: 'Edit', delete: 'Delete', confirm: 'OK', close: 'Close',
    search: 'Search', reset: 'Reset', refresh: 'Refresh', back: 'Back', next: 'Next', previous: 'Previous', actions: 'Actions',
    loading: 'Loading…', unavailable: '(deleted or unavailable)', empty: 'Nothing here yet', retry: 'Retry', saved: 'Saved', deleted: 'Deleted', copied: 'Copied',
    yes: 'Yes', no: 'No', name: 'Name', status: 'Status', createdAt: 'Created', updatedAt: 'Updated', total: '{n} in total',
    confirmDelete: 'Delete “{name}”? This cannot be undone.', loadFailed: 'Could not load: {message}', unknownError: 'Something went wrong, please retry',
  },
  shell: {
    signOut: 'Sign out', language: 'Language', workspace: 'Workspace', switchWorkspace: 'Switch workspace', collapse: 'Collapse menu',
    notFound: 'Page not found', backHome: 'Back to the dashboard',
  },
  signIn: {
    title: 'Sign in to Courtyard', email: 'Email', password: 'Password', submit: 'Sign in', failed: 'Wrong email or password',
    emailRequired: 'Enter your email', passwordRequired: 'Enter your password', demoHint: 'Demo account: {email} / {password}',
  },
  acceptInvitation: {
    title: 'Join the workspace', subtitle: 'Choose your name and password; you are signed in right after', name: 'Name', password: 'Password',
    passwordHint: 'At least 10 characters', submit: 'Accept and join', nameRequired: 'Enter your name', passwordShort: 'The password needs at least 10 characters',
    badToken: 'This invitation link is unknown, used or expired: ask an admin to invite you again', noToken: 'The link has no invitation code: open the full link you were sent',
  },
};
export default en;
