/**
 * A remove button that asks first, in place: "Remove …?" with Remove / Keep. Keyboard: the question
 * takes focus on Keep (a second Enter does not remove by accident), Escape or Keep goes back and returns
 * focus to the first button.
 */
import { useEffect, useRef, useState } from 'react';

export function ConfirmRemove({ what, question, onConfirm, pending = false, testId = 'remove' }: {
  /** Names the item for screen readers ("bookmark Frame 12"). */
  what: string;
  /** The question shown while asking; default "Remove?". */
  question?: string;
  onConfirm: () => void;
  pending?: boolean;
  /** Test id of the first button; the question's buttons get `-confirm` and `-cancel` suffixes. */
  testId?: string;
}) {
  const [asking, setAsking] = useState(false);
  const keepRef = useRef<HTMLButtonElement | null>(null);
  const removeRef = useRef<HTMLButtonElement | null>(null);
  const returnFocus = useRef(false);

  useEffect(() => {
    if (asking) keepRef.current?.focus();
    else if (returnFocus.current) {
      returnFocus.current = false;
      removeRef.current?.focus();
    }
  }, [asking]);

  const cancel = () => {
    returnFocus.current = true;
    setAsking(false);
  };

  if (!asking) {
    return (
      <button type="button" ref={removeRef} className="button small ghost danger" aria-label={`Remove ${what}`} data-testid={testId} disabled={pending} onClick={() => setAsking(true)}>
        Remove
      </button>
    );
  }
  return (
    <span
      className="confirm-remove"
      role="group"
      aria-label={`Confirm removal of ${what}`}
      onKeyDown={(e) => {
        if (e.key !== 'Escape') return;
        // Handled here: the stage and the review shortcuts leave a handled Escape alone.
        e.preventDefault();
        e.stopPropagation();
        cancel();
      }}
    >
      <span className="confirm-question">{question ?? 'Remove?'}</span>
      <button
        type="button"
        className="button small danger"
        data-testid={`${testId}-confirm`}
        disabled={pending}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        Remove
      </button>
      <button type="button" ref={keepRef} className="button small ghost" data-testid={`${testId}-cancel`} onClick={cancel}>
        Keep
      </button>
    </span>
  );
}
