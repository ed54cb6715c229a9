// Public surface of the storage layer. The rest of the app imports from here, never from dexie.
export { DB_NAME, WorkbenchDB } from './schema';
export { getDb } from './db';
export * from './types';
export * from './scans';
export * from './settings';
export * from './masks';
export * from './quota';
export { SaveCancelled, StorageFullError, StorageWriteError, isQuotaError } from './errors';
