/** Transport icons as inline SVG (system fonts lack most media glyphs). 16×16 grid, currentColor. */
import type { ReactElement } from 'react';

const paths: Record<string, ReactElement> = {
  first: (
    <>
      <rect x="2" y="3" width="2" height="10" />
      <path d="M13 3v10L5 8z" />
    </>
  ),
  stepBack: (
    <>
      <path d="M10 3v10L3 8z" />
      <rect x="11" y="3" width="2" height="10" />
    </>
  ),
  play: <path d="M4 2.5v11L13.5 8z" />,
  pause: (
    <>
      <rect x="3.5" y="3" width="3" height="10" />
      <rect x="9.5" y="3" width="3" height="10" />
    </>
  ),
  stepForward: (
    <>
      <rect x="3" y="3" width="2" height="10" />
      <path d="M6 3v10l7-5z" />
    </>
  ),
  last: (
    <>
      <path d="M3 3v10l8-5z" />
      <rect x="12" y="3" width="2" height="10" />
    </>
  ),
};

export type IconName = keyof typeof paths;

export function Icon({ name }: { name: 'first' | 'stepBack' | 'play' | 'pause' | 'stepForward' | 'last' }) {
  return (
    <svg className="icon-svg" viewBox="0 0 16 16" width="14" height="14" fill="currentColor" aria-hidden="true" focusable="false">
      {paths[name]}
    </svg>
  );
}
