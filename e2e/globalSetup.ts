// Playwright global setup: builds the Python references (the browser parity test's, the review queue's study)
// (models/build/parity, git-ignored) before any test starts, with its own budget, printing what it does.
import { biomedBundle, browserParityReference, buildReferences, hfLayoutReference, reviewStudyReference, tinyCris } from '../src/engine/testing/python';

export default function globalSetup(): void {
  buildReferences([browserParityReference, hfLayoutReference, tinyCris, biomedBundle, reviewStudyReference], 'playwright');
}
