// Where panels go. To add a panel, add one entry to the matching list (import your component above).
// Panels are plain components that read the stores they need; each is wrapped in its own error boundary.
import type { ComponentType } from 'react';
import { PromptPanel } from '../ui/prompts/PromptPanel';
import { RunsPanel } from '../ui/results/RunsPanel';
import { ResultsTable } from '../ui/results/ResultsTable';
import { ScoreChart } from '../ui/results/ScoreChart';
import { ExportPanel } from '../ui/export/ExportPanel';
import { CorrectionToolbar } from '../ui/correction/CorrectionToolbar';
import { VersionsPanel } from '../ui/correction/VersionsPanel';
import { ModelManager } from '../ui/models/ModelManager';
import { CompareModels } from '../ui/models/CompareModels';
import { InferenceStatus } from '../ui/models/InferenceStatus';
import { PacsPanel } from './pacs/PacsPanel';
import { VolumePanel } from '../ui/volume/VolumePanel';
import { ReviewPanel } from './review/ReviewPanel';

export interface Slot {
  id: string;
  title: string;
  Component: ComponentType;
  /** Start collapsed (right column panels). */
  collapsed?: boolean;
}

/** Right column, top to bottom: prompt box, runs/results, chart, models, export (engineers C and E). */
export const RIGHT_PANELS: Slot[] = [
  { id: 'prompts', title: 'Prompt', Component: PromptPanel },
  { id: 'volume', title: 'All slices', Component: VolumePanel },
  { id: 'runs', title: 'Runs', Component: RunsPanel },
  { id: 'results', title: 'Results', Component: ResultsTable },
  { id: 'chart', title: 'Compare prompts', Component: ScoreChart },
  { id: 'compare', title: 'Compare models', Component: CompareModels, collapsed: true },
  { id: 'versions', title: 'Corrected versions', Component: VersionsPanel, collapsed: true },
  { id: 'models', title: 'Model', Component: ModelManager, collapsed: true },
  { id: 'export', title: 'Export', Component: ExportPanel },
  { id: 'pacs', title: 'PACS', Component: PacsPanel, collapsed: true },
  { id: 'review', title: 'Review queue', Component: ReviewPanel, collapsed: true },
];

/** Toolbar items after the built-in tool buttons: brush size, undo/redo, threshold, opacity, export. */
export const TOOLBAR_ITEMS: Slot[] = [{ id: 'correction', title: 'Correction', Component: CorrectionToolbar }];

/** Status bar items after the built-in read-outs: model, backend and why, last timings. */
export const STATUS_ITEMS: Slot[] = [{ id: 'inference', title: 'Inference', Component: InferenceStatus }];
