export type {
  CommittedProgress,
  CrawlProgress,
  CrawlQueries,
  CrawlRow,
  FailureRow,
  KeyFileQueries,
  KeyFileRecord,
  LedgerReads,
  ResultRow,
  Store,
} from './contract';
export { createGroupCommitWriter, type GroupCommitWriter, type GroupCommitWriterOptions } from './groupCommitWriter';
export { openStore } from './openStore';
export { describeLedger, isPostgresUrl } from './target';
