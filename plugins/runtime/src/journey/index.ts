export * from './definition.ts';
export * from './validate.ts';
export * from './lifecycle.ts';
export * from './stats.ts';
