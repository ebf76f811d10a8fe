/**
 * What the installed models can see: the detector's label set (COCO-80) plus `unknown` for motion blobs
 * the detector did not classify, the groups people use for them ("vehicle", "bag"), and the concepts that
 * people ask about but no installed model measures. Questions, categories and user definitions are all
 * checked against this one table, so Vigil never claims to know what it cannot see.
 */
import { COCO_LABELS } from '../models-build/labels.js';

/** Label of tracks the detector never classified (moving blobs). */
export const UNKNOWN_LABEL = 'unknown';

/** Every label an analysis can produce. */
export const DETECTOR_LABELS: readonly string[] = [...COCO_LABELS, UNKNOWN_LABEL];

const LABEL_SET = new Set(DETECTOR_LABELS);

export function isKnownLabel(label: string): boolean {
  return LABEL_SET.has(label);
}

/** Named groups of labels. */
export const LABEL_GROUPS = {
  vehicle: ['bicycle', 'car', 'motorcycle', 'bus', 'truck', 'train', 'airplane', 'boat'],
  'motor vehicle': ['car', 'motorcycle', 'bus', 'truck'],
  bag: ['backpack', 'handbag', 'suitcase'],
  animal: ['bird', 'cat', 'dog', 'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe'],
  'wheeled object': ['bicycle', 'skateboard', 'car', 'motorcycle', 'bus', 'truck'],
} as const satisfies Record<string, readonly string[]>;

export type LabelGroup = keyof typeof LABEL_GROUPS;

/** Labels that are people's means of moving (they ride them) rather than things people carry. */
export { RIDDEN_LABELS } from '../analysis/measurements.js';
/** Labels that are objects a person carries or leaves behind. */
export const CARRIED_LABELS: readonly string[] = ['backpack', 'handbag', 'suitcase', 'umbrella'];
export const VEHICLE_LABELS: readonly string[] = LABEL_GROUPS.vehicle;

/** Plural/friendly name of a label for sentences. */
export function labelNoun(label: string, n = 1): string {
  if (label === UNKNOWN_LABEL) return n === 1 ? 'unclassified moving object' : 'unclassified moving objects';
  if (n === 1) return label;
  if (label === 'person') return 'people';
  if (label === 'bus') return 'buses';
  if (/(s|sh|ch|x)$/.test(label)) return `${label}es`;
  return `${label}s`;
}

export function withArticle(noun: string): string {
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

/**
 * Concepts an investigator may ask about that no installed model measures, with the reason given to the
 * user. Keys are lower-case words as they appear in questions and definitions.
 */
const UNSUPPORTED: Record<string, string> = {};
function unsupported(words: string[], reason: string): void {
  for (const w of words) UNSUPPORTED[w] = reason;
}
unsupported(
  ['wheelchair', 'wheelchairs', 'cart', 'carts', 'trolley', 'trolleys', 'stroller', 'strollers', 'pram', 'prams', 'buggy', 'scooter', 'scooters', 'golf cart', 'forklift', 'van', 'vans', 'pickup', 'ambulance', 'tram', 'tractor'],
  'is not among the installed detector\'s object classes (COCO-80), so the models cannot tell it apart from other objects',
);
unsupported(['gun', 'guns', 'pistol', 'rifle', 'firearm', 'weapon', 'weapons', 'bat', 'stick', 'crowbar', 'machete'], 'is not among the installed detector\'s object classes (COCO-80), so the models cannot tell whether anyone has one');
unsupported(['face', 'faces', 'identity', 'name', 'names', 'identify', 'recognise', 'recognize', 'owner', 'owners', 'owns', 'owned', 'belong', 'belongs', 'belonged', 'driver', 'drivers'], 'would need face or person recognition, which no installed model does');
unsupported(['plate', 'plates', 'registration', 'licence', 'license', 'number plate'], 'would need licence-plate reading, which no installed model does');
unsupported(['age', 'old', 'young', 'older', 'younger', 'child', 'children', 'kid', 'kids', 'adult', 'teenager', 'gender', 'male', 'female', 'ethnicity', 'race'], 'is a personal attribute no installed model estimates');
unsupported(['angry', 'happy', 'sad', 'scared', 'afraid', 'nervous', 'drunk', 'emotion', 'emotions', 'mood', 'intent', 'intention', 'intend', 'intended', 'feel', 'feeling'], 'is a state of mind no model can read from video');
unsupported(['say', 'says', 'said', 'saying', 'speak', 'spoke', 'talk', 'talked', 'voice', 'sound', 'sounds', 'audio', 'shout', 'shouted', 'hear', 'heard', 'noise'], 'would need the audio track, which Vigil does not analyse');
unsupported(['brand', 'brands', 'logo', 'logos', 'writing', 'written'], 'would need reading text or recognising brands, which no installed model does');
unsupported(['weather', 'rain', 'raining', 'temperature', 'sunny', 'cloudy', 'wind'], 'is not something the analysis measures');
unsupported(['tall', 'height', 'weight', 'heavy', 'metres', 'meters', 'feet', 'kmh', 'km', 'kph', 'mph', 'kilometres', 'kilometers', 'miles'], 'would need a calibrated camera; Vigil measures sizes and speeds relative to the objects in the picture, not in real units');
unsupported(['shirt', 'shirts', 'jacket', 'jackets', 'hat', 'hats', 'shoes', 'trousers', 'pants', 'dress', 'hair', 'eyes', 'glasses', 'clothes', 'clothing', 'wearing', 'wore'], 'would need clothing or body-part recognition; Vigil can only measure the colours inside an object\'s whole box');
unsupported(['fight', 'fighting', 'fought', 'punch', 'punched', 'hit', 'steal', 'stole', 'stealing', 'theft', 'rob', 'robbed', 'robbery', 'shoot', 'shot', 'shooting', 'attack', 'attacked', 'crime', 'crimes', 'illegal'], 'is a judgement about behaviour that the installed models cannot make; Vigil reports measured motion, positions and interactions only');

/** The reason a concept cannot be answered, or null when it is not a known-unsupported concept. */
export function unsupportedReason(word: string): string | null {
  return UNSUPPORTED[word.toLowerCase()] ?? null;
}

export function unsupportedWords(): string[] {
  return Object.keys(UNSUPPORTED);
}
