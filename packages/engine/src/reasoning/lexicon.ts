/**
 * The lexicon of the question parser: English words with their part of speech and meaning in Vigil's
 * terms (object labels, sides, colours, motion verbs, time units, ...). Inflected forms of regular verbs
 * and nouns are found through `lookup`, which strips common suffixes; irregular forms are listed.
 */
import { LABEL_GROUPS, unsupportedReason } from './vocabulary.js';

export type Wh = 'what' | 'when' | 'where' | 'who' | 'which' | 'why' | 'how';
export type Side = 'left' | 'right' | 'top' | 'bottom' | 'centre' | 'near' | 'far';
export type ColourName = 'red' | 'orange' | 'yellow' | 'green' | 'blue' | 'purple' | 'pink' | 'brown' | 'black' | 'white' | 'gray' | 'dark' | 'light';
export type VerbClass =
  | 'enter' | 'leave' | 'move' | 'stop' | 'carry' | 'ride' | 'run' | 'walk' | 'happen' | 'turn' | 'approach' | 'meet'
  | 'follow' | 'overtake' | 'appear' | 'disappear' | 'fall' | 'loiter' | 'go' | 'come' | 'cross' | 'be' | 'have'
  | 'see' | 'show' | 'list' | 'describe' | 'explain' | 'compare' | 'count' | 'tell' | 'look' | 'make' | 'drop' | 'gather';

/** What an object noun refers to in detector terms. */
export interface ObjectSense {
  /** Detector labels the word covers; 'any' for "object", "thing", "someone" ... */
  labels: readonly string[] | 'any';
  /** A person on/with one of `labels` (cyclist = person riding a bicycle). */
  role?: 'rider' | 'runner';
  plural: boolean;
  /** The word as the user wrote it, singular (for sentences). */
  head: string;
}

export type Entry =
  | { pos: 'wh'; value: Wh }
  | { pos: 'aux'; value: string }
  | { pos: 'neg' }
  | { pos: 'det'; value: 'def' | 'indef' | 'any' | 'demonstrative' | 'every' | 'none' }
  | { pos: 'pron'; value: 'it' | 'they' | 'that' | 'this' | 'someone' | 'something' | 'everyone' | 'there' | 'one' | 'ones' | 'self' }
  | { pos: 'ord'; value: number | 'last' | 'next' | 'previous' }
  | { pos: 'card'; value: number }
  | { pos: 'unit'; value: number }
  | { pos: 'prep'; value: string }
  | { pos: 'conj'; value: 'and' | 'or' | 'but' | 'while' }
  | { pos: 'noun'; obj: ObjectSense }
  | { pos: 'eventnoun'; plural: boolean }
  | { pos: 'placenoun'; value: string }
  | { pos: 'zoneword' }
  | { pos: 'colour'; value: ColourName }
  | { pos: 'side'; value: Side }
  | { pos: 'verb'; value: VerbClass }
  | { pos: 'adj'; value: 'anomalous' | 'normal' | 'fast' | 'slow' | 'stationary' | 'moving' | 'visible' | 'together' }
  | { pos: 'cmp'; value: 'faster' | 'slower' | 'more' | 'less' | 'than' | 'compared' | 'fastest' | 'slowest' | 'earliest' | 'latest' | 'longest' | 'same' }
  | { pos: 'attr'; value: 'colour' | 'speed' | 'direction' | 'path' | 'time' | 'kind' | 'position' | 'size' | 'number' | 'duration' | 'reason' | 'appearance' }
  | { pos: 'quant'; value: 'many' | 'much' | 'fast' | 'long' | 'far' | 'often' | 'quickly' | 'big' | 'slow' }
  | { pos: 'else' }
  | { pos: 'still' }
  | { pos: 'already' }
  | { pos: 'refword'; value: 'event' | 'track' }
  | { pos: 'filler' }
  | { pos: 'unsupported'; reason: string };

const L = new Map<string, Entry[]>();
function add(words: string | string[], e: Entry): void {
  for (const w of Array.isArray(words) ? words : [words]) {
    const l = L.get(w);
    if (l) l.push(e);
    else L.set(w, [e]);
  }
}

// Question words and auxiliaries.
for (const w of ['what', 'when', 'where', 'who', 'which', 'why', 'how'] as const) add(w, { pos: 'wh', value: w });
add(['whom', 'whose'], { pos: 'wh', value: 'who' });
add(['is', 'are', 'was', 'were', 'am', 'be', 'been', 'being'], { pos: 'aux', value: 'be' });
add(['do', 'does', 'did', 'done', 'doing'], { pos: 'aux', value: 'do' });
add(['has', 'have', 'had', 'having'], { pos: 'aux', value: 'have' });
add(['can', 'could', 'will', 'would', 'should', 'may', 'might', 'must', 'shall'], { pos: 'aux', value: 'modal' });
add(['not', "n't", 'never', 'nobody', 'nothing', 'none', 'neither', 'nor'], { pos: 'neg' });
add('no', { pos: 'det', value: 'none' });

// Determiners and pronouns.
add('the', { pos: 'det', value: 'def' });
add(['a', 'an'], { pos: 'det', value: 'indef' });
add(['any', 'some'], { pos: 'det', value: 'any' });
add(['that', 'this', 'those', 'these'], { pos: 'det', value: 'demonstrative' });
add(['every', 'each', 'all'], { pos: 'det', value: 'every' });
add(['it', 'its', 'itself'], { pos: 'pron', value: 'it' });
add(['they', 'them', 'their', 'theirs', 'he', 'she', 'him', 'her', 'his', 'hers', 'himself', 'herself', 'themselves'], { pos: 'pron', value: 'they' });
add(['that'], { pos: 'pron', value: 'that' });
add(['this'], { pos: 'pron', value: 'this' });
add(['someone', 'somebody', 'anyone', 'anybody'], { pos: 'pron', value: 'someone' });
add(['something', 'anything'], { pos: 'pron', value: 'something' });
add(['everyone', 'everybody', 'everything'], { pos: 'pron', value: 'everyone' });
add('there', { pos: 'pron', value: 'there' });
add('one', { pos: 'pron', value: 'one' });
add('ones', { pos: 'pron', value: 'ones' });
add(['i', 'me', 'my', 'you', 'your', 'we', 'us', 'our'], { pos: 'pron', value: 'self' });

// Ordinals and cardinals.
const ORD = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];
ORD.forEach((w, i) => add(w, { pos: 'ord', value: i + 1 }));
add(['1st'], { pos: 'ord', value: 1 });
add(['2nd'], { pos: 'ord', value: 2 });
add(['3rd'], { pos: 'ord', value: 3 });
add(['last', 'final'], { pos: 'ord', value: 'last' });
add(['next', 'following', 'later'], { pos: 'ord', value: 'next' });
add(['previous', 'prior', 'earlier', 'preceding'], { pos: 'ord', value: 'previous' });
const CARD = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen', 'twenty'];
CARD.forEach((w, i) => add(w, { pos: 'card', value: i }));
for (const [w, v] of [['thirty', 30], ['forty', 40], ['fifty', 50], ['sixty', 60], ['ninety', 90], ['hundred', 100]] as const) add(w, { pos: 'card', value: v });
add(['half'], { pos: 'card', value: 0.5 });

// Time units (seconds per unit).
add(['s', 'sec', 'secs', 'second', 'seconds'], { pos: 'unit', value: 1 });
add(['ms', 'millisecond', 'milliseconds'], { pos: 'unit', value: 0.001 });
add(['m', 'min', 'mins', 'minute', 'minutes'], { pos: 'unit', value: 60 });
add(['h', 'hr', 'hrs', 'hour', 'hours'], { pos: 'unit', value: 3600 });

// Prepositions and conjunctions.
for (const p of ['at', 'around', 'about', 'after', 'before', 'since', 'until', 'till', 'by', 'between', 'from', 'to', 'during', 'in', 'within', 'on', 'inside', 'into', 'onto', 'of', 'with', 'near', 'toward', 'towards', 'through', 'across', 'over', 'past', 'behind', 'along', 'like', 'for', 'out', 'up', 'down', 'off', 'than', 'as', 'into', 'upon', 'without', 'against', 'via', 'per', 'approximately', 'roughly']) add(p, { pos: 'prep', value: p });
add('till', { pos: 'prep', value: 'until' });
add(['and', '&'], { pos: 'conj', value: 'and' });
add('or', { pos: 'conj', value: 'or' });
add('but', { pos: 'conj', value: 'but' });
add(['while', 'whilst', 'as'], { pos: 'conj', value: 'while' });

// Object nouns.
function noun(words: string[], labels: readonly string[] | 'any', role?: ObjectSense['role']): void {
  const [sing, ...rest] = words;
  add(sing, { pos: 'noun', obj: { labels, role, plural: false, head: sing } });
  for (const w of rest) add(w, { pos: 'noun', obj: { labels, role, plural: true, head: sing } });
}
noun(['person', 'people', 'persons'], ['person']);
noun(['pedestrian', 'pedestrians'], ['person']);
noun(['man', 'men'], ['person']);
noun(['woman', 'women'], ['person']);
noun(['guy', 'guys'], ['person']);
noun(['individual', 'individuals'], ['person']);
noun(['walker', 'walkers'], ['person']);
noun(['human', 'humans'], ['person']);
noun(['suspect', 'suspects'], ['person']);
noun(['runner', 'runners'], ['person'], 'runner');
noun(['jogger', 'joggers'], ['person'], 'runner');
noun(['cyclist', 'cyclists'], ['bicycle'], 'rider');
noun(['biker', 'bikers'], ['bicycle', 'motorcycle'], 'rider');
noun(['rider', 'riders'], ['bicycle', 'motorcycle', 'skateboard', 'horse'], 'rider');
noun(['bicycle', 'bicycles'], ['bicycle']);
noun(['bike', 'bikes'], ['bicycle']);
noun(['skateboard', 'skateboards'], ['skateboard']);
noun(['skater', 'skaters'], ['skateboard'], 'rider');
noun(['skateboarder', 'skateboarders'], ['skateboard'], 'rider');
noun(['car', 'cars'], ['car']);
noun(['automobile', 'automobiles'], ['car']);
noun(['truck', 'trucks'], ['truck']);
noun(['lorry', 'lorries'], ['truck']);
noun(['bus', 'buses', 'busses'], ['bus']);
noun(['motorcycle', 'motorcycles'], ['motorcycle']);
noun(['motorbike', 'motorbikes'], ['motorcycle']);
noun(['motorcyclist', 'motorcyclists'], ['motorcycle'], 'rider');
noun(['vehicle', 'vehicles'], LABEL_GROUPS.vehicle);
noun(['motor vehicle', 'motor vehicles'], LABEL_GROUPS['motor vehicle']);
noun(['bag', 'bags'], LABEL_GROUPS.bag);
noun(['backpack', 'backpacks'], ['backpack']);
noun(['rucksack', 'rucksacks'], ['backpack']);
noun(['handbag', 'handbags'], ['handbag']);
noun(['purse', 'purses'], ['handbag']);
noun(['suitcase', 'suitcases'], ['suitcase']);
noun(['luggage', 'luggages'], ['suitcase']);
noun(['umbrella', 'umbrellas'], ['umbrella']);
noun(['animal', 'animals'], LABEL_GROUPS.animal);
noun(['dog', 'dogs'], ['dog']);
noun(['cat', 'cats'], ['cat']);
noun(['bird', 'birds'], ['bird']);
noun(['horse', 'horses'], ['horse']);
noun(['object', 'objects'], 'any');
noun(['thing', 'things'], 'any');
noun(['item', 'items'], 'any');
noun(['target', 'targets'], 'any');
noun(['ball', 'balls'], ['sports ball']);
noun(['phone', 'phones'], ['cell phone']);
noun(['knife', 'knives'], ['knife']);
noun(['bottle', 'bottles'], ['bottle']);
noun(['chair', 'chairs'], ['chair']);
noun(['bench', 'benches'], ['bench']);
noun(['boat', 'boats'], ['boat']);
noun(['train', 'trains'], ['train']);
noun(['laptop', 'laptops'], ['laptop']);
add(['anomaly', 'incident', 'event', 'activity', 'abnormality', 'irregularity', 'occurrence'], { pos: 'eventnoun', plural: false });
add(['anomalies', 'incidents', 'events', 'activities', 'abnormalities', 'irregularities', 'occurrences'], { pos: 'eventnoun', plural: true });

// Places (matched against zone names) and the word "zone".
for (const p of ['walkway', 'path', 'pathway', 'footpath', 'sidewalk', 'pavement', 'road', 'street', 'lane', 'crossing', 'crosswalk', 'entrance', 'exit', 'door', 'doorway', 'gate', 'lawn', 'grass', 'plaza', 'square', 'corridor', 'hallway', 'lobby', 'platform', 'parking', 'lot', 'car park', 'driveway', 'yard', 'courtyard', 'stairs', 'staircase', 'steps', 'bridge', 'corner', 'counter', 'fence', 'wall', 'building', 'shop', 'store']) {
  add(p, { pos: 'placenoun', value: p });
}
add(['zone', 'zones', 'area', 'areas', 'region', 'regions'], { pos: 'zoneword' });

// Colours.
for (const c of ['red', 'orange', 'yellow', 'green', 'blue', 'purple', 'pink', 'brown', 'black', 'white', 'dark', 'light'] as const) add(c, { pos: 'colour', value: c });
add(['gray', 'grey', 'silver'], { pos: 'colour', value: 'gray' });
add(['violet'], { pos: 'colour', value: 'purple' });
add(['beige', 'tan'], { pos: 'colour', value: 'brown' });
add(['colour', 'color', 'colours', 'colors', 'coloured', 'colored'], { pos: 'attr', value: 'colour' });

// Sides and positions in the picture.
add('left', { pos: 'side', value: 'left' });
add('right', { pos: 'side', value: 'right' });
add(['top', 'upper', 'up', 'above', 'background'], { pos: 'side', value: 'top' });
add(['bottom', 'lower', 'down', 'below', 'foreground'], { pos: 'side', value: 'bottom' });
add(['centre', 'center', 'middle', 'central'], { pos: 'side', value: 'centre' });
add(['near', 'nearby', 'close', 'closer', 'nearest', 'closest'], { pos: 'side', value: 'near' });
add(['far', 'farther', 'further', 'distant', 'farthest'], { pos: 'side', value: 'far' });
add(['side', 'sides', 'edge', 'edges', 'border'], { pos: 'attr', value: 'position' });

// Verbs (base form; regular inflections are found by `lookup`).
function verb(words: string[], value: VerbClass): void {
  add(words, { pos: 'verb', value });
}
verb(['enter', 'entered', 'entering', 'enters', 'arrive', 'arrived', 'arriving', 'arrives', 'come in', 'came', 'show up', 'join'], 'enter');
verb(['leave', 'left', 'leaving', 'leaves', 'exit', 'exited', 'exiting', 'exits', 'depart', 'departed'], 'leave');
verb(['move', 'moved', 'moving', 'moves', 'travel', 'travelled', 'traveled', 'travelling', 'traveling', 'drive', 'drove', 'driven', 'driving', 'drives', 'pass', 'passed', 'passing', 'passes', 'head', 'headed', 'heading', 'heads'], 'move');
verb(['stop', 'stopped', 'stopping', 'stops', 'stand', 'stood', 'standing', 'stands', 'stay', 'stayed', 'staying', 'stays', 'wait', 'waited', 'waiting', 'waits', 'park', 'parked', 'sit', 'sat', 'sitting', 'remain', 'remained', 'pause', 'paused'], 'stop');
verb(['loiter', 'loitered', 'loitering', 'loiters', 'linger', 'lingered', 'lingering', 'hang', 'hung', 'hanging'], 'loiter');
verb(['carry', 'carried', 'carrying', 'carries', 'hold', 'held', 'holding', 'holds', 'bring', 'brought', 'bringing', 'push', 'pushed', 'pushing', 'pull', 'pulled', 'pulling', 'drag', 'dragged'], 'carry');
verb(['ride', 'rode', 'riding', 'rides', 'ridden', 'cycle', 'cycled', 'cycling', 'skate', 'skated', 'skating', 'skateboarding'], 'ride');
verb(['run', 'ran', 'running', 'runs', 'rush', 'rushed', 'rushing', 'sprint', 'sprinted', 'sprinting', 'jog', 'jogged', 'jogging', 'race', 'raced', 'racing', 'speed', 'sped', 'speeding'], 'run');
verb(['walk', 'walked', 'walking', 'walks', 'stroll', 'strolled'], 'walk');
verb(['happen', 'happened', 'happening', 'happens', 'occur', 'occurred', 'occurring', 'occurs', 'going on', 'take place', 'took'], 'happen');
verb(['turn', 'turned', 'turning', 'turns', 'swerve', 'swerved'], 'turn');
verb(['approach', 'approached', 'approaching', 'approaches'], 'approach');
verb(['meet', 'met', 'meeting', 'meets'], 'meet');
verb(['follow', 'followed', 'following', 'follows', 'chase', 'chased', 'chasing'], 'follow');
verb(['overtake', 'overtook', 'overtaken', 'overtaking', 'overtakes'], 'overtake');
verb(['appear', 'appeared', 'appearing', 'appears', 'emerge', 'emerged', 'start', 'started', 'starting', 'starts', 'begin', 'began', 'begins', 'beginning'], 'appear');
verb(['disappear', 'disappeared', 'disappearing', 'disappears', 'vanish', 'vanished', 'end', 'ended', 'ending', 'ends', 'finish', 'finished'], 'disappear');
verb(['fall', 'fell', 'fallen', 'falling', 'falls', 'collapse', 'collapsed', 'trip', 'tripped'], 'fall');
verb(['go', 'goes', 'went', 'gone', 'going'], 'go');
verb(['come', 'comes', 'coming'], 'come');
verb(['cross', 'crossed', 'crossing', 'crosses'], 'cross');
verb(['see', 'saw', 'seen', 'seeing', 'notice', 'noticed', 'spot', 'spotted', 'detect', 'detected', 'find', 'found', 'observe', 'observed', 'visible'], 'see');
verb(['show', 'showed', 'shown', 'display', 'play', 'jump', 'seek', 'highlight'], 'show');
verb(['list', 'enumerate'], 'list');
verb(['describe', 'described', 'summarise', 'summarize', 'summary'], 'describe');
verb(['explain', 'explained', 'justify'], 'explain');
verb(['compare', 'compared', 'comparing', 'versus', 'vs'], 'compare');
verb(['count', 'counted', 'counting'], 'count');
verb(['tell', 'told', 'give', 'gave'], 'tell');
verb(['look', 'looked', 'looks', 'looking'], 'look');
verb(['make', 'made', 'makes', 'making', 'cause', 'caused', 'causes', 'flag', 'flagged', 'trigger', 'triggered'], 'make');
verb(['drop', 'dropped', 'abandon', 'abandoned', 'leave behind', 'put', 'placed', 'place', 'set'], 'drop');
verb(['gather', 'gathered', 'gathering', 'crowd', 'crowded', 'crowding', 'assemble', 'assembled', 'group', 'grouped', 'congregate'], 'gather');

// Adjectives and comparison.
add(['anomalous', 'unusual', 'abnormal', 'strange', 'odd', 'suspicious', 'weird', 'wrong', 'irregular', 'atypical', 'interesting', 'notable', 'remarkable', 'uncommon', 'flagged', 'alarming'], { pos: 'adj', value: 'anomalous' });
add(['normal', 'usual', 'typical', 'ordinary', 'regular', 'common', 'expected', 'average', 'median'], { pos: 'adj', value: 'normal' });
add(['fast', 'quick', 'quickly', 'rapid', 'rapidly', 'speedy'], { pos: 'adj', value: 'fast' });
add(['slow', 'slowly'], { pos: 'adj', value: 'slow' });
add(['stationary', 'motionless', 'static', 'idle', 'unattended'], { pos: 'adj', value: 'stationary' });
add(['together', 'alongside'], { pos: 'adj', value: 'together' });
add(['faster', 'quicker'], { pos: 'cmp', value: 'faster' });
add(['slower'], { pos: 'cmp', value: 'slower' });
add(['more'], { pos: 'cmp', value: 'more' });
add(['less', 'fewer'], { pos: 'cmp', value: 'less' });
add(['than'], { pos: 'cmp', value: 'than' });
add(['relative', 'relatively', 'comparison', 'compared'], { pos: 'cmp', value: 'compared' });
add(['fastest', 'quickest'], { pos: 'cmp', value: 'fastest' });
add(['slowest'], { pos: 'cmp', value: 'slowest' });
add(['earliest'], { pos: 'cmp', value: 'earliest' });
add(['latest'], { pos: 'cmp', value: 'latest' });
add(['longest'], { pos: 'cmp', value: 'longest' });
add(['same', 'similar'], { pos: 'cmp', value: 'same' });

// Attribute nouns.
add(['speed', 'speeds', 'velocity', 'pace'], { pos: 'attr', value: 'speed' });
add(['direction', 'directions', 'way', 'heading', 'bearing'], { pos: 'attr', value: 'direction' });
add(['path', 'route', 'trajectory', 'trajectories', 'track', 'course', 'movement', 'movements', 'motion'], { pos: 'attr', value: 'path' });
add(['time', 'times', 'moment', 'timestamp', 'timestamps', 'timing'], { pos: 'attr', value: 'time' });
add(['kind', 'type', 'sort', 'class', 'category', 'categories', 'label'], { pos: 'attr', value: 'kind' });
add(['position', 'location', 'place', 'spot', 'whereabouts'], { pos: 'attr', value: 'position' });
add(['size', 'big', 'large', 'small', 'bigger', 'smaller', 'largest', 'smallest'], { pos: 'attr', value: 'size' });
add(['number', 'amount', 'total', 'count', 'quantity'], { pos: 'attr', value: 'number' });
add(['duration', 'long'], { pos: 'attr', value: 'duration' });
add(['reason', 'reasons', 'cause', 'why', 'explanation', 'evidence', 'basis'], { pos: 'attr', value: 'reason' });
add(['appearance', 'description'], { pos: 'attr', value: 'appearance' });

// Quantity words after "how".
add('many', { pos: 'quant', value: 'many' });
add('much', { pos: 'quant', value: 'much' });
add('often', { pos: 'quant', value: 'often' });

add(['else', 'other', 'others', 'another', 'rest', 'remaining', 'further', 'additional', 'also'], { pos: 'else' });
add(['still'], { pos: 'still' });
add(['already'], { pos: 'already' });
add(['track', 'object', 'id'], { pos: 'refword', value: 'track' });
add(['event', 'incident', 'anomaly'], { pos: 'refword', value: 'event' });

// Words that carry no meaning for Vigil but are ordinary English (they count as English for language detection).
for (const w of [
  'please', 'kindly', 'just', 'exactly', 'really', 'actually', 'also', 'too', 'very', 'so', 'then', 'now', 'here', 'ever', 'again', 'only', 'even', 'yet',
  'video', 'videos', 'clip', 'clips', 'footage', 'recording', 'scene', 'camera', 'cameras', 'view', 'picture', 'image', 'frame', 'frames', 'shot', 'feed',
  'know', 'think', 'want', 'need', 'like', 'get', 'got', 'let', 'happen', 'if', 'whether', 'yes', 'okay', 'ok', 'hi', 'hello', 'thanks', 'thank',
  'exist', 'existed', 'exists', 'present', 'there', 'any', 'anywhere', 'somewhere', 'everywhere', 'kind', 'sort', 'type', 'of', 'much', 'most', 'least',
  'about', 'overall', 'whole', 'entire', 'same', 'different', 'both', 'either', 'such', 'own', 'own', 'way', 'ways', 'lot', 'lots', 'bit', 'once', 'twice',
  'start', 'beginning', 'end', 'middle', 'moment', 'while', 'meanwhile', 'afterwards', 'later', 'soon', 'immediately', 'suddenly', 'briefly',
  'answer', 'question', 'option', 'options', 'choice', 'correct', 'true', 'false', 'following', 'best', 'describes', 'statement',
]) if (!L.has(w)) add(w, { pos: 'filler' });

const IRREGULAR_NOUN_PLURAL = /(ies)$/;

/** Lexical entries of a word (lower-case), trying regular inflections when the word itself is not listed. */
export function lookup(word: string): Entry[] {
  const direct = L.get(word);
  if (direct) return direct;
  const reason = unsupportedReason(word);
  if (reason) return [{ pos: 'unsupported', reason }];
  const candidates: string[] = [];
  if (IRREGULAR_NOUN_PLURAL.test(word)) candidates.push(word.replace(/ies$/, 'y'));
  if (word.endsWith('ing')) candidates.push(word.slice(0, -3), `${word.slice(0, -3)}e`, word.slice(0, -4));
  if (word.endsWith('ed')) candidates.push(word.slice(0, -2), word.slice(0, -1), word.slice(0, -3));
  if (word.endsWith('es')) candidates.push(word.slice(0, -2));
  if (word.endsWith('s')) candidates.push(word.slice(0, -1));
  if (word.endsWith('ly')) candidates.push(word.slice(0, -2));
  for (const c of candidates) {
    if (c.length < 2) continue;
    const hit = L.get(c);
    if (hit) return hit;
    const r = unsupportedReason(c);
    if (r) return [{ pos: 'unsupported', reason: r }];
  }
  return [];
}

/** Multi-word lexemes ("going on", "car park", "how many"), longest first, as word arrays. */
export const MULTIWORD: readonly string[][] = [...L.keys()].filter((k) => k.includes(' ')).map((k) => k.split(' ')).sort((a, b) => b.length - a.length);

/**
 * Common English words outside the lexicon's meaning-bearing entries, used only to tell an English question
 * from one in another language.
 */
export const ENGLISH_FUNCTION_WORDS = new Set([
  'a', 'about', 'above', 'across', 'after', 'again', 'all', 'am', 'an', 'and', 'any', 'are', 'as', 'at', 'be', 'because', 'been', 'before', 'being', 'between', 'both', 'but', 'by',
  'can', 'could', 'did', 'do', 'does', 'doing', 'down', 'during', 'each', 'few', 'for', 'from', 'had', 'has', 'have', 'he', 'her', 'here', 'him', 'his', 'how', 'i', 'if', 'in', 'into',
  'is', 'it', 'its', 'me', 'more', 'most', 'my', 'no', 'not', 'of', 'off', 'on', 'once', 'only', 'or', 'other', 'our', 'out', 'over', 'same', 'she', 'should', 'so', 'some', 'such',
  'than', 'that', 'the', 'their', 'them', 'then', 'there', 'these', 'they', 'this', 'those', 'through', 'to', 'too', 'under', 'until', 'up', 'very', 'was', 'we', 'were', 'what', 'when',
  'where', 'which', 'while', 'who', 'whom', 'why', 'will', 'with', 'would', 'you', 'your',
]);
