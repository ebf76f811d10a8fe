/** Keyboard helpers shared by every shortcut handler. */

/** True when a key press belongs to a text field (shortcuts must not fire while typing). */
export function isTextEntry(target: EventTarget | null): boolean {
  if (typeof HTMLElement === 'undefined' || !(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !['button', 'checkbox', 'radio', 'range', 'submit', 'reset', 'color', 'file'].includes(target.type);
  return false;
}

/** True while a modal dialog is open: review shortcuts pause under it. */
export function modalOpen(): boolean {
  return typeof document !== 'undefined' && document.querySelector('[aria-modal="true"]') !== null;
}

/** A plain shortcut press: no Ctrl/Meta/Alt, not typed into a field, no dialog open, not already handled. */
export function isShortcutEvent(e: KeyboardEvent): boolean {
  return !e.defaultPrevented && !e.ctrlKey && !e.metaKey && !e.altKey && !isTextEntry(e.target) && !modalOpen();
}

/** Keeps focus where it is when a control is clicked, so keyboard shortcuts keep working. */
export const keepFocus = (e: { preventDefault(): void }) => e.preventDefault();
