export { type CommandLine, commandFiles, isUnder, realPath, workspaceRootOf } from './command-files.ts';
export { describeServerEntry } from './describe-entry.ts';
export { shownWord } from './shown-word.ts';
export {
  digestOf,
  digestOfText,
  KIND_LABEL,
  shownPath,
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
