import { describe, expect, it } from 'vitest';
import { formatReference } from '../src/lib/format';

describe('formatReference', () => {
  it('says what an analysis compared the footage with', () => {
    expect(formatReference({ reference: 'self', params: {} })).toBe('self-referenced');
    expect(formatReference({ reference: 'self', params: { together: ['ev_a'] } })).toBe('self-referenced with 1 clip');
    expect(formatReference({ reference: 'self', params: { together: ['ev_a', 'ev_b'] } })).toBe('self-referenced with 2 clips');
    expect(formatReference({ reference: ['ev_a'], params: {} })).toBe('1 reference clip');
    expect(formatReference({ reference: ['ev_a', 'ev_b', 'ev_c'], params: {} })).toBe('3 reference clips');
  });
});
