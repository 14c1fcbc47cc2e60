export * from './definition.ts';
export * from './validate.ts';
export { referenceIssues } from './references.ts';
export { isSealed, maskDefinitionSecrets, openConfigSecrets, resealJourneySecrets, sealDefinitionSecrets, type SecretScope } from './secrets.ts';
export * from './lifecycle.ts';
export * from './stats.ts';
export { simulateJourney, type SimulateOptions, type SimulatedEvent, type SimulatedStep, type SimulatedEffect, type SimulationResult } from '../simulate/simulate.ts';
