// Playwright global setup: builds the Python reference the browser parity test compares against
// (models/build/parity, git-ignored) before any test starts, with its own budget, printing what it does.
import { browserParityReference, buildReferences, hfLayoutReference, tinyCris } from '../src/engine/testing/python';

export default function globalSetup(): void {
  buildReferences([browserParityReference, hfLayoutReference, tinyCris], 'playwright');
}
