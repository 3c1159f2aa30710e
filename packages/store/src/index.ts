export { MIGRATIONS_FOLDER } from './client';
export type { CrawlRow } from './crawlQueries';
export { createGroupCommitWriter, type GroupCommitWriter, type GroupCommitWriterOptions } from './groupCommitWriter';
export type { KeyFileRecord } from './keyFileQueries';
export type { FailureRow, ResultRow } from './ledgerReads';
export { openStore, type Store } from './store';
