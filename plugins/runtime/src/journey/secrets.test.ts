import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SECRET_PLACEHOLDER } from '@courtyard/plugin-sdk';
import { builtinRegistry } from '../registry.ts';
import { maskDefinitionSecrets, openConfigSecrets, sealDefinitionSecrets } from './secrets.ts';

const key = randomBytes(32);
const scope = { workspaceId: 'ws-1', journeyId: 'j-1', key };
const SECRET = 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=';
const hook = (config: Record<string, unknown>, id = 'hook') => ({ id, type: 'courtyard.call-webhook', version: '1.0.0', config: { url: 'https://erp.example.cn/h', ...config } as Record<string, unknown> });
const webhook = builtinRegistry.get('courtyard.call-webhook', '1.0.0')!;

describe('sealing journey node secrets', () => {
  it('a sealed secret opens only for the same workspace, journey, node and field, and reads as the placeholder', () => {
    const sealed = sealDefinitionSecrets({ nodes: [hook({ secret: SECRET })], edges: [] }, null, builtinRegistry, scope);
    const stored = sealed.nodes[0]!.config;
    expect(stored.secret).toMatch(/^sealed:v2\./);
    expect(JSON.stringify(sealed)).not.toContain(SECRET);
    expect(maskDefinitionSecrets(sealed).nodes[0]!.config).toEqual({ url: 'https://erp.example.cn/h', secret: SECRET_PLACEHOLDER });
    expect(openConfigSecrets(webhook, 'hook', stored, scope)).toEqual({ config: { ...stored, secret: SECRET }, unopened: [] });
    for (const [nodeId, other] of [['hook', { ...scope, workspaceId: 'ws-2' }], ['hook', { ...scope, journeyId: 'j-2' }], ['other', scope]] as const) {
      expect(openConfigSecrets(webhook, nodeId, stored, other).unopened).toEqual(['secret']);
    }
  });

  it('the placeholder keeps the node\'s stored value, a new value replaces it, an empty one clears it, a new node gets none', () => {
    const first = sealDefinitionSecrets({ nodes: [hook({ secret: SECRET })], edges: [] }, null, builtinRegistry, scope);
    const kept = sealDefinitionSecrets({ nodes: [hook({ secret: SECRET_PLACEHOLDER }), hook({ secret: SECRET_PLACEHOLDER }, 'pasted')], edges: [] }, first, builtinRegistry, scope);
    expect(kept.nodes[0]!.config.secret).toBe(first.nodes[0]!.config.secret);
    expect(kept.nodes[1]!.config).not.toHaveProperty('secret');
    const replaced = sealDefinitionSecrets({ nodes: [hook({ secret: 'whsec_bmV3LXNlY3JldC1uZXctc2VjcmV0' })], edges: [] }, first, builtinRegistry, scope);
    expect(openConfigSecrets(webhook, 'hook', replaced.nodes[0]!.config, scope).config).toMatchObject({ secret: 'whsec_bmV3LXNlY3JldC1uZXctc2VjcmV0' });
    expect(sealDefinitionSecrets({ nodes: [hook({ secret: '' })], edges: [] }, first, builtinRegistry, scope).nodes[0]!.config).not.toHaveProperty('secret');
  });
});
