export * from './crypto.ts';
export * from './xml.ts';
