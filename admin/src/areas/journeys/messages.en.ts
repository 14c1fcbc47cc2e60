import type zhCN from './messages.zh-CN';

const en: typeof zhCN = {
  menu: 'Journeys',
  status: { draft: 'Draft', active: 'Active', paused: 'Paused', archived: 'Archived' },
  kind: { trigger: 'Triggers', condition: 'Conditions', action: 'Actions' },
  list: {
    title: 'Journeys', subtitle: 'Automate customer journeys with triggers, conditions and actions', create: 'New journey', search: 'Search by name',
    allStatuses: 'All statuses', entered: 'Entered', inside: 'Inside now', updated: 'Updated', empty: 'No journeys yet. Create one to start automating.',
    open: 'Edit', archive: 'Archive', archiveConfirm: 'Archiving "{name}" takes everyone out of it for good. Archive it?', archived: 'Archived',
    deleteConfirm: 'Delete the draft "{name}"? This cannot be undone.', unpublished: 'Unpublished changes', live: 'Live',
  },
  create: { title: 'New journey', name: 'Name', namePlaceholder: 'e.g. First order for new customers', description: 'Description', descriptionPlaceholder: 'What this journey is for (optional)', nameRequired: 'Enter a name', submit: 'Create and edit' },
  builder: {
    title: 'Journey', notFound: 'This journey does not exist or was deleted', oneTrigger: 'A journey has one trigger; delete the current one first',
    emptyCanvas: 'Drag a trigger from the left to start', overview: 'Overview',
    help: 'Select a node to edit its settings here. Connect a port at the bottom of a node to the top of the next one.',
    keys: { drag: 'Drag node types onto the canvas; double-click or Enter adds one too', connect: 'Drag from a port to a node to connect', select: 'Shift/Ctrl-click to select several, drag on empty space to box-select', copy: 'Ctrl+C / Ctrl+V copies nodes with the connections between them', undo: 'Ctrl+Z undoes, Ctrl+Shift+Z redoes', delete: 'Delete / Backspace removes the selection' },
    copied: 'Copied {n} node(s)', paused: 'Journey paused', resumed: 'Journey running again',
    leaveTitle: 'Unsaved changes', leaveText: 'Changes not saved will be lost.', leave: 'Leave anyway',
  },
  palette: { search: 'Search nodes', none: 'No matching nodes', hint: 'Drag onto the canvas, or focus and press Enter' },
  toolbar: { undo: 'Undo', redo: 'Redo', layout: 'Tidy up', fit: 'Fit view', simulate: 'Simulate', publish: 'Publish', saving: 'Saving…', unsaved: 'Unsaved changes', saved: 'Saved' },
  actions: { pause: 'Pause', resume: 'Resume' },
  settings: {
    title: 'Journey settings', open: 'Settings', reentry: 'Re-entry', reentryMode: { never: 'Each customer enters once', afterCooldown: 'Again after a cooldown', always: 'Again after leaving' },
    cooldownHint: 'counted from the last entry', unit: { minutes: 'minutes', hours: 'hours', days: 'days' },
    cap: 'Customers inside at once', capHint: 'Once reached, new entries are refused until someone leaves', noCap: 'No limit', people: 'people',
    goalLabel: 'Goal', goalHint: 'Checked before every step: customers who reached it leave the journey (counted as converted)',
    goal: { none: 'No goal', event: 'An event happens', order: 'Places an order', segment: 'Enters a segment' },
    goalEventPlaceholder: 'Event type, e.g. order.paid', goalEventRequired: 'Enter the event type', goalSegmentRequired: 'Pick a segment', orAbove: 'or more',
    quiet: 'Quiet hours', quietHint: 'Marketing messages wait until quiet hours end', workspaceQuiet: "The workspace's quiet hours",
    nameTaken: 'Another journey has this name; choose another', publishNote: 'Settings are saved to the draft and apply to new entries once published again.', saved: 'Journey settings saved',
  },
  panel: { label: 'Name on the canvas', unknownType: 'Unknown node type' },
  stats: {
    entered: 'Entered', waiting: 'Waiting', completed: 'Completed', failed: 'Failed',
    enteredShort: 'In', waitingShort: 'Wait', completedShort: 'Done', failedShort: 'Fail',
  },
  summary: { items: '{n} items', tags: '{n} tag(s)', segment: 'Segment chosen', minutes: '{n} min', hours: '{n} h', days: '{n} days' },
  connect: {
    selfLoop: 'A node cannot connect to itself', intoTrigger: 'The trigger starts the journey; nothing connects into it', portUsed: 'This port already leads to another node; remove that connection first',
    unknownPort: 'This port does not exist', duplicate: 'This connection exists', missingNode: 'The node does not exist',
  },
  issues: { title: 'Checks ({n})' },
  issueCode: {
    INVALID_SHAPE: '', DUPLICATE_NODE_ID: '', UNKNOWN_NODE_TYPE: '', INVALID_CONFIG: '', MISSING_TRIGGER: '', MULTIPLE_TRIGGERS: '', TRIGGER_NOT_CONNECTED: '', DANGLING_EDGE: '',
    UNKNOWN_PORT: '', PORT_CONNECTED_TWICE: '', EDGE_INTO_TRIGGER: '', UNREACHABLE_NODE: '', CYCLE_WITHOUT_WAIT: '', UNCONNECTED_PORT: '', UNKNOWN_REFERENCE: '',
  },
  publish: {
    title: 'Publish journey', first: 'First publish: this goes live and new customers enter from now on.', since: 'Changes since the live version v{n}:',
    addedNodes: '{n} node(s) added', removedNodes: '{n} node(s) removed', changedNodes: '{n} node(s) changed', addedEdges: '{n} connection(s) added', removedEdges: '{n} connection(s) removed',
    noChanges: 'Nothing changed since the live version', migrate: 'Move customers on older versions to the new one (where their node still exists)', confirm: 'Publish',
    done: 'Published as v{n}', invalid: '{n} problem(s) to fix first; they are marked on the canvas',
  },
  preview: {
    title: 'Message preview', customer: 'Pick a sample customer', noCustomers: 'No customers to preview with yet', empty: 'Write the message to preview it here',
    hint: 'Rendered for the chosen customer; nothing is sent. Trigger-event variables are empty in the preview.', field: { body: 'Message', subject: 'Subject', links: 'Links' },
  },
  simulate: {
    title: 'Simulate', lead: 'Pick a customer to see the path they would take through the canvas as it is now (unsaved changes included). Waits take no time; nothing is sent or changed.',
    customer: 'Search customers (name, phone, email)', run: 'Run', clear: 'Clear path',
    outcome: { completed: 'Completed', exited: 'Left early', failed: 'Failed', unfinished: 'Unfinished (step or time limit)', invalid: 'The journey has errors' },
    step: { next: 'Passed', waited: 'Waited, then went on', event: 'The event came', timeout: 'Timed out', deferred: 'Send deferred', failed: 'Failed', exited: 'Left the journey', goal: 'Reached the goal' },
    events: {
      title: 'Events during the simulation', add: 'Add event', none: 'Without events, wait-for-event nodes wait until they time out.', type: 'Event type, e.g. order.paid',
      properties: 'Properties: a JSON object (optional), with "sku": "A1" inside braces', after: 'After entry', at: 'At a time', happened: 'Events in this simulation',
      units: { minutes: 'min', hours: 'hours', days: 'days' },
      resolved: { event: 'The event came at {at}', timeout: 'Timed out at {at}', other: 'Stopped waiting at {at}' },
      errors: { typeRequired: 'Give the event type', propertiesJson: 'Not valid JSON', propertiesObject: 'Properties must be a JSON object (key-values in braces)', offsetRange: 'Give a duration of 0 or more', atAfterStart: 'Pick a time after now' },
    },
    effect: { tagsAdded: 'Would add tags', tagsRemoved: 'Would remove tags', attributes: 'Would update attributes', owner: 'Would assign an owner', message: 'Would send a message', webhook: 'Would call a webhook', enroll: 'Would enter another journey' },
  },
};
export default en;
