// The loaded model's card, for the clinician: what it segments, on which kinds of scan, the words it knows,
// its left/right convention, its test figures with their uncertainty, its limits, and that it is a research
// tool, not a medical device. Reads modelCard from the bundle; fields a bundle lacks are said to be missing.
import { useEffect, useState } from 'react';
import { useInference, type ModelCard as Card } from '../../state/inference';

const NOT_DEVICE = 'Research use only — not a medical device. Every mask must be checked by a qualified person.';

/** Validation figures (older bundles, no separate test split): dataset -> Dice of the class prompt. */
function classPromptDice(card: Card): [string, number][] {
  const d = (card.metrics as { dice_class_prompt?: Record<string, number> } | undefined)?.dice_class_prompt;
  return d ? Object.entries(d).filter(([, v]) => typeof v === 'number') : [];
}

function TestFigures({ card }: { card: Card }) {
  const test = card.testMetrics;
  if (test && Object.keys(test).length > 0) {
    return (
      <table className="card-table" data-testid="model-card-test">
        <thead>
          <tr>
            <th>Data set</th>
            <th>Structure</th>
            <th title="Overlap with the expert mask: 0 none, 1 perfect">Dice</th>
            <th title="95 % bootstrap confidence interval">95 % interval</th>
            <th title="Number of test images">Images</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(test).flatMap(([set, rows]) =>
            Object.entries(rows).map(([structure, m]) => (
              <tr key={`${set}/${structure}`}>
                <td>{set}</td>
                <td>{structure}</td>
                <td className="num">{m.dice.toFixed(2)}</td>
                <td className="num">{m.ci95 ? `${m.ci95[0].toFixed(2)}–${m.ci95[1].toFixed(2)}` : '–'}</td>
                <td className="num">{m.n ?? '–'}</td>
              </tr>
            )),
          )}
        </tbody>
      </table>
    );
  }
  const val = classPromptDice(card);
  if (val.length === 0) return <p className="hint">This model reports no test figures.</p>;
  return (
    <>
      <p className="hint" data-testid="model-card-validation">
        No separate test split is reported: these are figures on held-apart images that were also used to tune training,
        without confidence intervals, so they are optimistic.
      </p>
      <table className="card-table">
        <thead>
          <tr>
            <th>Data set</th>
            <th title="Overlap with the expert mask: 0 none, 1 perfect">Dice (class word)</th>
          </tr>
        </thead>
        <tbody>
          {val.map(([set, v]) => (
            <tr key={set}>
              <td>{set}</td>
              <td className="num">{v.toFixed(2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** Vocabulary words that are not part of a class name: sizes, shapes, colours, places, laterality. */
function attributeWords(card: Card): string[] {
  const classWords = new Set((card.classes ?? []).flatMap((c) => c.toLowerCase().split(/\s+/)));
  return (card.vocabulary ?? []).filter((w) => !classWords.has(w));
}

export function ModelCardView({ name, card, license }: { name: string; card: Card; license: string | null }) {
  const attrs = attributeWords(card);
  return (
    <div className="model-card" data-testid="model-card">
      <p className="not-device" data-testid="model-card-not-device">
        {NOT_DEVICE}
      </p>
      {card.intendedUse && <p data-testid="model-card-intended">{card.intendedUse}</p>}
      {card.summary && <p className="hint">{card.summary}</p>}
      <h3>What it segments</h3>
      {card.classes?.length ? (
        <ul className="chips" data-testid="model-card-classes">
          {card.classes.map((c) => (
            <li key={c}>{c}</li>
          ))}
        </ul>
      ) : (
        <p className="hint">Not stated by this model.</p>
      )}
      <h3>Kinds of scan</h3>
      {card.modalities?.length ? (
        <p data-testid="model-card-modalities">{card.modalities.join(', ')}. On other kinds of scan its masks mean little.</p>
      ) : (
        <p className="hint" data-testid="model-card-modalities">Not stated by this model: see the training data below.</p>
      )}
      <h3>Left and right</h3>
      <p data-testid="model-card-laterality">{card.leftRightConvention ?? 'Not stated by this model: do not rely on "left" or "right" in prompts.'}</p>
      <h3>Words it understands</h3>
      {card.vocabulary?.length ? (
        <>
          <p className="hint">
            Besides the structure names above, these words describe size, number, shape, colour and position. Any other word is
            ignored by the model; the prompt box marks such words before you run.
          </p>
          <ul className="chips small" data-testid="model-card-vocabulary">
            {attrs.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </>
      ) : (
        <p className="hint" data-testid="model-card-vocabulary">
          This model does not list its vocabulary, so prompts cannot be checked before they run.
        </p>
      )}
      <h3>Test results</h3>
      <TestFigures card={card} />
      <h3>Known limits</h3>
      {card.limits?.length ? (
        <ul data-testid="model-card-limits">
          {card.limits.map((l) => (
            <li key={l}>{l}</li>
          ))}
        </ul>
      ) : (
        <p className="hint">None stated: treat every result with caution.</p>
      )}
      {card.trainingData?.length ? (
        <>
          <h3>Trained on</h3>
          <ul className="training-data">
            {card.trainingData.map((t) => (
              <li key={t.name}>
                {t.name}
                {t.terms && <span className="hint"> — {t.terms}</span>}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {license && <p className="hint">Licence: {license}</p>}
      <p className="hint">Model: {name}</p>
    </div>
  );
}

/** A button that opens the loaded model's card in a dialog (Escape or the × closes it). */
export function ModelCardButton({ className, testId = 'model-card-open' }: { className?: string; testId?: string }) {
  const model = useInference((s) => s.model);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);
  if (!model) return null;
  return (
    <>
      <button type="button" className={className ?? 'link'} onClick={() => setOpen(true)} data-testid={testId} title="What this model knows, how well it did on test images, and its limits">
        Model card
      </button>
      {open && (
        <div className="overlay" role="dialog" aria-modal aria-label="Model card" onClick={() => setOpen(false)}>
          <div className="overlay-card" onClick={(e) => e.stopPropagation()}>
            <div className="overlay-head">
              <h2>Model card: {model.modelName}</h2>
              <button type="button" className="icon" onClick={() => setOpen(false)} aria-label="Close" data-testid="model-card-close">
                ×
              </button>
            </div>
            {model.card ? <ModelCardView name={model.modelName} card={model.card} license={model.license} /> : <p className="hint">This model has no card.</p>}
          </div>
        </div>
      )}
    </>
  );
}
