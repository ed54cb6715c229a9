// Vitest global setup: builds the Python references the engine tests compare against (models/build,
// git-ignored) before any test starts, with its own budget (minutes on a fresh clone under load), printing
// one line per reference it builds. Tests only check that their reference exists.
import { biomedBundle, buildReferences, hfLayoutReference, PARITY_CASES, parityReference, resizeReference, tinyBundles, tinyCris } from './python';

export default function globalSetup(): void {
  // In order: the tiny parity cases read the tiny bundles' manifests.
  buildReferences([resizeReference, tinyBundles, tinyCris, hfLayoutReference, biomedBundle, ...PARITY_CASES.map((c) => () => parityReference(c.dir, c.variant))], 'vitest');
}
