import { useCallback, useState } from 'react';

/** useState that survives a page reload within the same tab (selection, not data). */
export function useSessionState<T extends string | null>(key: string, initial: T): [T, (v: T) => void] {
  const [value, setValue] = useState<T>(() => {
    try {
      const stored = sessionStorage.getItem(key);
      return stored === null ? initial : (stored as T);
    } catch {
      return initial;
    }
  });
  const set = useCallback(
    (v: T) => {
      setValue(v);
      try {
        if (v === null) sessionStorage.removeItem(key);
        else sessionStorage.setItem(key, v);
      } catch {
        // storage unavailable (private mode): selection just won't survive a reload
      }
    },
    [key],
  );
  return [value, set];
}
