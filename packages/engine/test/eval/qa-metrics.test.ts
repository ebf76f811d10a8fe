import { describe, expect, it } from 'vitest';
import { choiceAccuracy, objectAccuracy, parseChoiceLetter, parseYesNo, yesNoAccuracy } from '../../src/eval/qa-metrics.js';
import { expectVigil } from './helpers.js';

describe('parseChoiceLetter', () => {
  it('reads bare, bracketed and phrased answers', () => {
    expect(parseChoiceLetter('B')).toBe('B');
    expect(parseChoiceLetter(' (c) ')).toBe('C');
    expect(parseChoiceLetter('**D.**')).toBe('D');
    expect(parseChoiceLetter('A) a bicycle')).toBe('A');
    expect(parseChoiceLetter('Answer: C')).toBe('C');
    expect(parseChoiceLetter('The correct option is (b) because…')).toBe('B');
    expect(parseChoiceLetter('Option 2')).toBe('B');
    expect(parseChoiceLetter('3')).toBe('C');
  });

  it('does not guess', () => {
    expect(parseChoiceLetter('E')).toBeNull(); // beyond D
    expect(parseChoiceLetter('Bicycle')).toBeNull();
    expect(parseChoiceLetter('the answer is a cart')).toBeNull();
    expect(parseChoiceLetter('')).toBeNull();
    expect(parseChoiceLetter('5')).toBeNull();
  });
});

describe('accuracies', () => {
  it('choice accuracy counts unparsed answers as wrong', () => {
    const r = choiceAccuracy(['B', 'Answer: A', 'no idea', 'D'], ['B', 'C', 'A', 4]);
    expect(r).toEqual({ correct: 2, total: 4, accuracy: 0.5, unparsed: 1 });
    expectVigil(() => choiceAccuracy(['A'], ['Z']), 'invalid_input', /not an option A..D/);
    expectVigil(() => choiceAccuracy(['A'], []), 'invalid_input', /1 answers but 0/);
  });

  it('yes/no accuracy reads the first word', () => {
    expect(parseYesNo('Yes, a cyclist rides through.')).toBe('yes');
    expect(parseYesNo('"No."')).toBe('no');
    expect(parseYesNo('Maybe')).toBeNull();
    expect(yesNoAccuracy(['yes', 'No, nothing', 'unclear'], ['yes', true, false])).toEqual({
      correct: 1,
      total: 3,
      accuracy: 1 / 3,
      unparsed: 1,
    });
  });

  it('object accuracy matches normalised words, ignoring articles, case and plurals', () => {
    const r = objectAccuracy(['A man riding the Bicycles.', 'skateboard', 'a car', ''], ['bicycle', 'Skate board', 'cart', 'cart']);
    expect(r).toEqual({ correct: 1, total: 4, accuracy: 0.25, unparsed: 1 });
    expect(objectAccuracy(['golf carts'], ['golf cart']).correct).toBe(1);
  });
});
