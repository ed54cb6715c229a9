// `?` overlay: every registered shortcut, grouped, plus the pointer gestures.
import { useKeymap } from '../../state/keymap';

interface Props {
  onClose(): void;
  mouse: readonly (readonly [string, string])[];
}

const pretty = (k: string) => k.replace('Mod+', navigator.platform.startsWith('Mac') ? '⌘' : 'Ctrl+').replace('Arrow', '');

export function HelpOverlay({ onClose, mouse }: Props) {
  const shortcuts = useKeymap((s) => s.shortcuts);
  const groups = [...new Set(shortcuts.map((s) => s.group))];
  return (
    <div className="overlay" role="dialog" aria-modal aria-label="Keyboard shortcuts" data-testid="help-overlay" onClick={onClose}>
      <div className="overlay-card" onClick={(e) => e.stopPropagation()}>
        <div className="overlay-head">
          <h2>Keyboard shortcuts</h2>
          <button type="button" className="icon" onClick={onClose} aria-label="Close" data-testid="help-close">
            ×
          </button>
        </div>
        <div className="help-grid">
          {groups.map((g) => (
            <section key={g}>
              <h3>{g}</h3>
              <dl>
                {shortcuts
                  .filter((s) => s.group === g)
                  .map((s) => (
                    <div key={s.id} className="help-row" data-testid={`shortcut-${s.id}`}>
                      <dt>
                        {s.keys.map((k) => (
                          <kbd key={k}>{pretty(k)}</kbd>
                        ))}
                      </dt>
                      <dd>{s.description}</dd>
                    </div>
                  ))}
              </dl>
            </section>
          ))}
          <section>
            <h3>Mouse</h3>
            <dl>
              {mouse.map(([k, d]) => (
                <div key={k} className="help-row">
                  <dt>
                    <kbd>{k}</kbd>
                  </dt>
                  <dd>{d}</dd>
                </div>
              ))}
            </dl>
          </section>
        </div>
      </div>
    </div>
  );
}
