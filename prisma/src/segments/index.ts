export * from './definition.ts';
export { validateSegmentDefinition, conditionsOf, fieldType, type DefinitionIssue } from './validate.ts';
export { compileSegment, type CompiledSegment, type CompileMode, type CompileOptions } from './compile.ts';
export {
  countSegment,
  dependenciesOf,
  dependencyOrder,
  onMembershipChange,
  announceMembershipChange,
  analyzeMembership,
  BULK_CHANGE,
  movedRows,
  type MembershipListener,
  recheckCustomers,
  recheckSegment,
  refreshSegment,
  segmentQuery,
  type MembershipDelta,
  type SegmentChangeCause,
  type StoredSegment,
} from './engine.ts';
export { decodeRef } from '../ids.ts';
export { CsvFileError, decodeCsv, matchCsvRows, parseCustomerCsv, normalizeEmail, DEFAULT_MAX_CSV_ROWS, type CsvProblem, type CsvEncoding } from './csv.ts';
