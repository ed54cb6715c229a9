// Prompt box: Enter runs the prompt (the empty prompt runs once per scan first, for influence);
// suggestions from the model's classes, the current mask's attributes and the scan's history. The text
// belongs to the open scan (scanPrompt.ts); words the model never saw in training are marked before it runs.
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { useInference } from '../../state/inference';
import { useRuns } from '../../state/runs';
import { useScans } from '../../state/scans';
import { useToolSettings } from '../../state/tool';
import { runWithBaseline } from '../results/runActions';
import { getSegmenter, onSegmenter } from './segmenter';
import { suggestPrompts } from './suggestions';
import { switchPromptScan, useScanPrompt } from './scanPrompt';
import { checkVocabulary, modelKnowing, unknownMessage } from './vocabulary';
import { useShippedVocabularies } from './shippedVocabularies';
import { ModelCardButton } from '../models/ModelCard';
import { chooseModel, useInferenceClient } from '../models/InferenceContext';
import { openPanel } from '../shell/panels';
import { IMAGE_ONLY_NOTE } from '../../engine/channels';

const useSegmenter = () => useSyncExternalStore(onSegmenter, getSegmenter);

const SETTLE_MS = 250;

/** `value`, once it has not changed for `ms`. */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

export function PromptPanel() {
  const seg = useSegmenter();
  const scan = useScans((s) => s.scan);
  const scanId = useScans((s) => s.activeId);
  useEffect(() => {
    void switchPromptScan(scanId);
  }, [scanId]);
  const text = useScanPrompt((s) => s.text);
  const setText = useScanPrompt((s) => s.setText);
  const model = useInference((s) => s.model);
  const defaultNote = useInference((s) => s.defaultNote);
  const vocab = checkVocabulary(text, model?.card?.vocabulary);
  const client = useInferenceClient();
  const shippedVocab = useShippedVocabularies();
  const knower = vocab ? modelKnowing(vocab.unknown, shippedVocab, model?.modelId) : null;
  // the prompts only (a string, equal while they are): score updates do not recompute the suggestions
  const prompts = useRuns((s) => s.runs.map((r) => r.prompt).join('\n'));
  const busy = useRuns((s) => s.busy);
  const error = useRuns((s) => s.error);
  const pixelsVersion = useRuns((s) => s.pixelsVersion);
  // attribute suggestions read the whole mask: after strokes and undos they follow once editing pauses,
  // not inside the frame that shows the edit
  const maskVersion = useSettled(useToolSettings((s) => s.maskVersion), SETTLE_MS);
  const history = useMemo(() => [...new Set(prompts.split('\n').filter((p) => p.trim() !== ''))].reverse(), [prompts]);
  const demoPrompt = typeof scan?.metadata.prompt === 'string' ? [scan.metadata.prompt] : [];
  const modelClasses = useInference((s) => s.model?.classes);
  const classes = modelClasses ?? seg?.classes() ?? [];
  const suggestions = useMemo(
    () => (scan ? suggestPrompts(text, classes, history, demoPrompt).slice(0, 12) : []),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- pixel versions stand in for the buffers
    [text, classes.join('|'), history, demoPrompt.join('|'), scan, pixelsVersion, maskVersion],
  );
  const run = (p: string) => void runWithBaseline(p);
  return (
    <div className="prompt-panel" data-testid="prompt-panel">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          run(text);
        }}
      >
        <input
          type="text"
          className={vocab?.unknown.length ? 'prompt-input has-unknown' : 'prompt-input'}
          aria-invalid={vocab?.unknown.length ? true : undefined}
          aria-describedby={vocab?.unknown.length ? 'prompt-vocab' : undefined}
          title="Words describing the structure: its name, and optionally size, number, shape, colour and position, e.g. 'one small round polyp, located in right of the image'"
          placeholder={scan ? 'Describe what to segment, then Enter' : 'Open a scan first'}
          value={text}
          onChange={(e) => setText(e.target.value)}
          disabled={!scan}
          data-testid="prompt-input"
          aria-label="Prompt"
        />
        <button
          type="submit"
          className="primary"
          disabled={!scan || !seg}
          title={!scan ? 'Open a scan first' : !seg ? 'The model is not ready yet' : 'Run the prompt on the open scan (Enter)'}
          data-testid="prompt-run"
        >
          Run
        </button>
      </form>
      {vocab && vocab.unknown.length > 0 && (
        <p className="warning" id="prompt-vocab" data-testid="prompt-vocab" role="status">
          {unknownMessage(vocab.unknown)}
          {vocab.allUnknown ? ' With no known word, the result is the same as an empty prompt.' : ''}
          {knower && (
            <span data-testid="prompt-vocab-knower">
              {' '}
              {knower.name} knows {vocab.unknown.length === 1 ? 'it' : 'them'}:{' '}
              <button
                type="button"
                className="link"
                data-testid="prompt-vocab-switch"
                onClick={() => void chooseModel(client, { kind: 'shipped', id: knower.id }).catch(() => undefined)}
              >
                use {knower.name}
              </button>
            </span>
          )}
        </p>
      )}
      {model && (
        <p className="hint prompt-model">
          {model.modelName} · <ModelCardButton />
        </p>
      )}
      {model && defaultNote && defaultNote.modelId === model.modelId && (scan?.frames ?? 0) > 1 && (
        <p className="hint" data-testid="model-default-note" role="note">
          {defaultNote.text}{' '}
          <button type="button" className="link" data-testid="model-default-change" onClick={() => openPanel('models')}>
            Change
          </button>
        </p>
      )}
      {model?.kind === 'image-only' && (
        <p className="warning" data-testid="prompt-image-only" role="note">
          {IMAGE_ONLY_NOTE}: it only shows the class the prompt names (no words: all of them).{' '}
          <label>
            Class{' '}
            <select
              value={model.classes.find((c) => c === text.trim()) ?? ''}
              onChange={(e) => setText(e.target.value)}
              disabled={!scan}
              data-testid="prompt-class"
              aria-label="Class to show"
            >
              <option value="">(all classes)</option>
              {model.classes.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </label>
        </p>
      )}
      {!seg && scan && <p className="hint" data-testid="prompt-no-model">Load a model to run prompts.</p>}
      {busy && <p className="hint" data-testid="prompt-busy">{busy}</p>}
      {error && <p className="error" data-testid="prompt-error">{error}</p>}
      {suggestions.length > 0 && (
        <ul className="suggestions" data-testid="prompt-suggestions">
          {suggestions.map((s) => (
            <li key={`${s.kind}:${s.text}`}>
              <button type="button" className={`suggestion ${s.kind}`} onClick={() => setText(s.text)} onDoubleClick={() => run(s.text)} title={`${s.label} — double-click to run`} data-testid="prompt-suggestion" data-kind={s.kind}>
                {s.text}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
