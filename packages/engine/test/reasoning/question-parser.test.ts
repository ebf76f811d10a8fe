import { describe, expect, it } from 'vitest';
import { parseQuestion, splitOptions } from '../../src/reasoning/question-parser.js';
import { tokenize } from '../../src/reasoning/tokenizer.js';

const zones = { zoneNames: ['Walkway', 'Loading bay'] };

describe('tokenizer', () => {
  it('reads clock times, glued units, contractions and multi-word lexemes', () => {
    const t = tokenize("What's going on at 1:02:03.5 and 12s? Didn't the motor vehicle leave?");
    expect(t.map((x) => x.text)).toEqual(['what', 'is', 'going on', 'at', '1:02:03.5', 'and', '12', 's', '?', 'did', "n't", 'the', 'motor vehicle', 'leave', '?']);
    expect(t[4]).toMatchObject({ kind: 'clock', value: 3723.5 });
    expect(t[6]).toMatchObject({ kind: 'number', value: 12 });
  });
});

describe('question parser: intents of the questions investigators ask', () => {
  const cases: [string, string, Record<string, unknown>][] = [
    ['what happened?', 'summary', {}],
    ['when did the cyclist enter?', 'when', { mainVerb: 'enter' }],
    ['where did the cyclist go?', 'path', { mainVerb: 'go' }],
    ['how fast compared to the others?', 'speed', { whFocus: 'speed' }],
    ['was anyone carrying a bag?', 'exists', { form: 'yesno', mainVerb: 'carry' }],
    ['what colour was the vehicle?', 'appearance', { whFocus: 'colour' }],
    ['how many people were on the walkway at 00:12?', 'count', { whFocus: 'number' }],
    ['why is this anomalous?', 'why', {}],
    ['anything else unusual?', 'list', { elseWord: true, anomalyWord: true }],
    ['Is there an anomaly in this clip?', 'anomaly', { form: 'yesno' }],
    ['Was anything unusual in the first 5 seconds?', 'anomaly', {}],
    ['When does the anomaly start and end?', 'when', {}],
    ['What kind of object is anomalous?', 'what', { whFocus: 'kind' }],
    ['show me the second event', 'show', { form: 'imperative' }],
    ['list all events', 'list', {}],
    ['who entered first?', 'what', { superlative: 'first', wh: 'who' }],
    ['compare the cyclist with the pedestrians', 'compare', {}],
    ['which object was the fastest?', 'speed', { superlative: 'fastest' }],
    ['was the car red?', 'appearance', { colours: ['red'] }],
    ['which way did it go?', 'path', {}],
    ['in which direction did the skateboarder move?', 'path', {}],
    ['explain event 2', 'why', {}],
    ['what made it anomalous?', 'why', {}],
    ['did the cyclist enter from the left?', 'exists', { sides: [{ side: 'left', prep: 'from' }] }],
    ['tell me when the cyclist left', 'when', { mainVerb: 'leave' }],
    ['how long did the person stand there?', 'when', { whFocus: 'duration' }],
    ['the second one?', 'followup', {}],
    ['and the skateboarder?', 'followup', {}],
    ['before that?', 'followup', {}],
  ];
  for (const [q, intent, slots] of cases) {
    it(`"${q}" → ${intent}`, () => {
      const p = parseQuestion(q, zones);
      expect(p.language).toBe('en');
      expect(p.intent).toBe(intent);
      expect(p).toMatchObject(slots);
    });
  }
});

describe('question parser: slots', () => {
  it('objects map to detector labels, groups and roles', () => {
    expect(parseQuestion('when did the cyclist enter?').subject).toMatchObject({ kind: 'object', det: 'def', sense: { labels: ['bicycle'], role: 'rider' } });
    expect(parseQuestion('was there a vehicle?').subject?.sense?.labels).toEqual(['bicycle', 'car', 'motorcycle', 'bus', 'truck', 'train', 'airplane', 'boat']);
    expect(parseQuestion('is there a motor vehicle?').subject?.sense?.labels).toEqual(['car', 'motorcycle', 'bus', 'truck']);
    const bag = parseQuestion('was anyone carrying a bag?');
    expect(bag.subject).toMatchObject({ kind: 'pronoun', pronoun: 'someone' });
    expect(bag.object?.sense?.labels).toEqual(['backpack', 'handbag', 'suitcase']);
    expect(parseQuestion('how many people were there?').subject).toMatchObject({ plural: true, sense: { labels: ['person'] } });
  });

  it('noun phrases keep ordinals, colours, "other", manner and company', () => {
    expect(parseQuestion('where did the second cyclist go?').subject).toMatchObject({ ordinal: 2, sense: { labels: ['bicycle'] } });
    expect(parseQuestion('when did the red car leave?').subject).toMatchObject({ colours: ['red'], sense: { labels: ['car'] } });
    expect(parseQuestion('when did the other one leave?').subject).toMatchObject({ kind: 'pronoun', pronoun: 'one', other: true });
    expect(parseQuestion('what about the last one?').subject).toMatchObject({ kind: 'pronoun', ordinal: 'last' });
    expect(parseQuestion('where was the person with the backpack?').subject?.relation?.np.sense?.labels).toEqual(['backpack']);
    expect(parseQuestion('why is event 3 anomalous?').subject).toMatchObject({ kind: 'event-ref', refId: 3 });
    expect(parseQuestion('where is track #12?').subject).toMatchObject({ kind: 'track-ref', refId: 12 });
    expect(parseQuestion('when did that person leave?').subject).toMatchObject({ det: 'demonstrative', sense: { labels: ['person'] } });
  });

  it('times: clock, units, words, ranges, first/last N, frames, and anchors', () => {
    expect(parseQuestion('how many people were there at 00:12?').time).toMatchObject({ rel: 'at', a: { kind: 'abs', t: 12 } });
    expect(parseQuestion('what happened at 12 seconds?').time).toMatchObject({ rel: 'at', a: { kind: 'abs', t: 12 } });
    expect(parseQuestion('what happened at twelve seconds?').time).toMatchObject({ rel: 'at', a: { kind: 'abs', t: 12 } });
    expect(parseQuestion('was anyone there around 1:30?').time).toMatchObject({ rel: 'around', a: { kind: 'abs', t: 90 } });
    expect(parseQuestion('what happened between 00:10 and 00:25?').time).toMatchObject({ rel: 'between', a: { t: 10 }, b: { t: 25 } });
    expect(parseQuestion('what happened from 5 s to 9 s?').time).toMatchObject({ rel: 'between', a: { t: 5 }, b: { t: 9 } });
    expect(parseQuestion('anything unusual in the last 2 minutes?').time).toMatchObject({ rel: 'last', spanS: 120 });
    expect(parseQuestion('anything unusual during the first 3 seconds?').time).toMatchObject({ rel: 'first', spanS: 3 });
    expect(parseQuestion('what is at frame 120?').time).toMatchObject({ rel: 'at', a: { kind: 'frame', frame: 120 } });
    expect(parseQuestion('what happened at the end?').time).toMatchObject({ rel: 'at', a: { kind: 'end' } });
    const after = parseQuestion('what happened after the bicycle leaves?').time;
    expect(after).toMatchObject({ rel: 'after', a: { kind: 'anchor', verb: 'leave', np: { sense: { labels: ['bicycle'] } } } });
    expect(parseQuestion('what happened before that?').time).toMatchObject({ rel: 'before', a: { kind: 'anchor', np: null } });
    expect(parseQuestion('was anyone running when the car passed?').time).toMatchObject({ rel: 'during', a: { kind: 'anchor', verb: 'move' } });
    // "second" is an ordinal in "the second one", a unit after a number.
    expect(parseQuestion('the second one?').time).toBeUndefined();
  });

  it('places: zones of the case by name (multi-word too), other place words as unmatched', () => {
    expect(parseQuestion('how many people were on the walkway?', zones).places).toEqual([{ name: 'Walkway', isZone: true }]);
    expect(parseQuestion('was any truck in the loading bay?', zones).places).toEqual([{ name: 'Loading bay', isZone: true }]);
    expect(parseQuestion('how many people were on the walkway?').places).toEqual([{ name: 'walkway', isZone: false }]);
    expect(parseQuestion('how many people were in zone C?', zones).places).toEqual([{ name: 'c', isZone: false }]);
  });

  it('"left" is a side after a preposition and the verb "leave" after a subject', () => {
    expect(parseQuestion('did it come from the left?').sides).toEqual([{ side: 'left', prep: 'from' }]);
    const v = parseQuestion('when the cyclist left, who was there?');
    expect(v.sides).toEqual([]);
    expect(parseQuestion('when had the cyclist left?').verbs).toContain('leave');
    expect(parseQuestion('was it in the upper left?').sides.map((s) => s.side)).toEqual(['top', 'left']);
  });

  it('flags concepts the models cannot see', () => {
    expect(parseQuestion('is there a wheelchair?').unsupported[0].word).toBe('wheelchair');
    expect(parseQuestion('when did the cart enter?').unsupported[0].word).toBe('cart');
    expect(parseQuestion('what is the man\'s name?').unsupported[0].word).toBe('name');
    expect(parseQuestion('how fast was it in km/h?').unsupported.map((u) => u.word)).toContain('km');
    expect(parseQuestion('what did they say?').unsupported[0].word).toBe('say');
  });

  it('tells other languages apart from English', () => {
    for (const q of ['¿Qué pasó en el video?', 'Was ist passiert?', 'Qu\'est-ce qui s\'est passé dans la vidéo ?', 'Что произошло?', '何が起きましたか', 'Wann ist das Fahrrad gekommen?']) {
      expect(parseQuestion(q).language, q).toBe('other');
    }
    for (const q of ['Was there a bicycle?', 'what happened?', 'Did the skateboarder leave?']) expect(parseQuestion(q).language, q).toBe('en');
  });

  it('multiple choice: stem and options A–D, inline or one per line', () => {
    const s = splitOptions('From which side does it enter? A) left B) right C) top D) bottom');
    expect(s.stem).toBe('From which side does it enter?');
    expect(s.options.map((o) => `${o.letter}:${o.text}`)).toEqual(['A:left', 'B:right', 'C:top', 'D:bottom']);
    const lines = splitOptions('What kind of object is anomalous?\n(A) a car\n(B) a bicycle\n(C) a dog\n(D) a bus');
    expect(lines.options.map((o) => o.text)).toEqual(['a car', 'a bicycle', 'a dog', 'a bus']);
    // A capital "A" inside a sentence is not an option list.
    expect(splitOptions('Is A. Smith in view?').options).toEqual([]);
    const p = parseQuestion('Where does it leave the view? A) left B) right C) bottom D) it is still in view at the end');
    expect(p.intent).toBe('choice');
    expect(p.options?.[3].parsed.still).toBe(true);
    expect(p.options?.[0].parsed.sides).toEqual([{ side: 'left', prep: undefined }]);
  });
});
