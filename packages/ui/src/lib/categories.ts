/**
 * Colours and names of event categories. The engine's taxonomy gets fixed colours so a category looks
 * the same in every case; open categories (user definitions, "unusual …" attributes) get a stable colour
 * from their name.
 */

const FIXED: Record<string, string> = {
  'vehicle in a pedestrian area': '#ff5d5d',
  'cyclist or skater on a walkway': '#ff9a3d',
  running: '#ffc53d',
  loitering: '#b78cff',
  'abandoned object': '#ff6fb5',
  fall: '#ff4785',
  'crowd forming': '#5fc6ff',
  'wrong-way movement': '#3fd1a7',
  'unknown object': '#a3b3c4',
};

const OPEN_PALETTE = ['#e57373', '#f0a35e', '#d9c85a', '#7bd389', '#5ec8d9', '#7aa2ff', '#c18cf0', '#f08cc8'];

/** Used when an event has no category yet (reasoning not run). */
export const UNCATEGORISED = '#f06a4f';

export function categoryColour(category: string | null): string {
  if (!category) return UNCATEGORISED;
  const key = category.toLowerCase();
  const fixed = FIXED[key];
  if (fixed) return fixed;
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
  return OPEN_PALETTE[h % OPEN_PALETTE.length];
}

export function categoryLabel(category: string | null): string {
  if (!category) return 'Anomaly';
  return category.charAt(0).toUpperCase() + category.slice(1);
}

export const REVIEW_LABELS = { unreviewed: 'Unreviewed', confirmed: 'Confirmed', dismissed: 'Dismissed' } as const;
