// The app's one database connection, opened lazily. Panels use getDb() with the repository functions.
import { WorkbenchDB } from './schema';

let instance: WorkbenchDB | null = null;

export function getDb(): WorkbenchDB {
  instance ??= new WorkbenchDB();
  return instance;
}
