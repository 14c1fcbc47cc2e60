import { describe, expect, it } from 'vitest';
import { ALL_SCOPES, grantable, presetScopes, SCOPE_ROWS, summarizeScopes } from './scopes';

describe('scope grouping', () => {
  it('has a read and a write scope for each resource, twenty in all', () => {
    expect(ALL_SCOPES).toHaveLength(20);
    expect(SCOPE_ROWS.find((r) => r.resource === 'apikeys')).toEqual({ resource: 'apikeys', read: 'APIKEYS_READ', write: 'APIKEYS_WRITE' });
  });

  it('summarises a key per resource in table order', () => {
    expect(summarizeScopes(['ORDERS_WRITE', 'CUSTOMERS_WRITE', 'CUSTOMERS_READ', 'TAGS_READ'])).toEqual([
      { resource: 'customers', access: 'readWrite' },
      { resource: 'tags', access: 'read' },
      { resource: 'orders', access: 'write' },
    ]);
    expect(summarizeScopes([])).toEqual([]);
  });

  it('presets: read-only reads everything but API keys; an ingest key writes customers, events and orders', () => {
    const readOnly = presetScopes('readOnly');
    expect(readOnly.every((s) => s.endsWith('_READ'))).toBe(true);
    expect(readOnly).not.toContain('APIKEYS_READ');
    expect(presetScopes('ingest')).toEqual(['CUSTOMERS_READ', 'CUSTOMERS_WRITE', 'EVENTS_WRITE', 'ORDERS_WRITE']);
    expect(presetScopes('all')).toEqual(ALL_SCOPES);
  });

  it('a key can only be given scopes the caller holds', () => {
    expect(grantable(presetScopes('all'), new Set(['TAGS_READ', 'TAGS_WRITE'] as const))).toEqual(['TAGS_READ', 'TAGS_WRITE']);
  });
});
