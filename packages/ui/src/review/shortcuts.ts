/**
 * Every keyboard shortcut of the review UI, as the help overlay lists them. The handlers live with what
 * they act on (player, stage, workspace); this table is what the user is told, kept next to the
 * review-level handler so the two are edited together.
 */
export interface Shortcut {
  keys: string[];
  action: string;
}

export interface ShortcutGroup {
  title: string;
  items: Shortcut[];
}

export const SHORTCUTS: ShortcutGroup[] = [
  {
    title: 'Playback',
    items: [
      { keys: ['Space'], action: 'Play / pause' },
      { keys: ['←', '→'], action: 'Previous / next frame' },
      { keys: ['Shift+←', 'Shift+→'], action: 'Back / forward one second' },
      { keys: ['J'], action: 'Slower (one frame back when paused)' },
      { keys: ['K'], action: 'Pause' },
      { keys: ['L'], action: 'Play / faster' },
      { keys: ['Home', 'End'], action: 'First / last frame' },
    ],
  },
  {
    title: 'Review',
    items: [
      { keys: ['N', 'P'], action: 'Next / previous event' },
      { keys: ['C'], action: 'Confirm the selected event (or the one under the playhead)' },
      { keys: ['D'], action: 'Dismiss the selected event' },
      { keys: ['M'], action: 'Bookmark the current frame' },
      { keys: ['/'], action: 'Ask a question in the chat' },
    ],
  },
  {
    title: 'Picture',
    items: [
      { keys: ['H'], action: 'Heatmap on / off' },
      { keys: ['B'], action: 'Boxes on / off' },
      { keys: ['T'], action: 'Trajectories on / off' },
      { keys: ['+', '−'], action: 'Zoom in / out (or mouse wheel over the picture; drag to pan)' },
      { keys: ['0'], action: 'Reset zoom' },
      { keys: ['Enter'], action: 'Close the zone being drawn' },
      { keys: ['Backspace'], action: 'Remove the last zone vertex' },
      { keys: ['Esc'], action: 'Cancel zone drawing / close dialogs' },
    ],
  },
  {
    title: 'General',
    items: [{ keys: ['?'], action: 'Show / hide this help' }],
  },
];
