export {
  digestOf,
  digestOfText,
  KIND_LABEL,
  skippedNotice,
  TRUST_WORKSPACE_ENV,
  type TrustChecker,
  type TrustItem,
  type TrustKind,
  type TrustVerdict,
  trustChecker,
  workspaceDirOf,
} from './trust-checker.ts';
export { readTrustRecords, type TrustRecord, trustFilePath, writeTrustRecords } from './trust-store.ts';
