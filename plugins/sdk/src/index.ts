export * from './context.ts';
export * from './manifest.ts';
export * from './node.ts';
export * from './outcome.ts';
export * from './scopes.ts';
export * from './signing.ts';
export * from './template.ts';
export * from './text.ts';
export { z } from 'zod';
