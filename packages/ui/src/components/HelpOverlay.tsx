import { useEffect } from 'react';
import { SHORTCUTS } from '../review/shortcuts';
import { Modal } from './Modal';

/** Every keyboard shortcut, from the one table in review/shortcuts.ts. `?` toggles it. */
export function HelpOverlay({ onClose }: { onClose: () => void }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === '?') {
        e.preventDefault();
        onClose();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose} testId="help-overlay" wide>
      <div className="help-grid">
        {SHORTCUTS.map((g) => (
          <section key={g.title} className="help-group">
            <h3>{g.title}</h3>
            <dl>
              {g.items.map((s) => (
                <div key={s.action} className="help-row">
                  <dt>
                    {s.keys.map((k, i) => (
                      <span key={k}>
                        {i > 0 && <span className="dim"> / </span>}
                        <kbd>{k}</kbd>
                      </span>
                    ))}
                  </dt>
                  <dd>{s.action}</dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
      </div>
      <p className="dim small-text">Shortcuts do not fire while you type in a text field; press Esc to leave the field.</p>
    </Modal>
  );
}
