/**
 * Reading a bundle zip defensively: every entry listed once (names checked, no duplicates, no
 * encryption, only stored/deflated data), members opened one at a time, and every failure turned into a
 * VigilError that names the bundle or the member.
 */
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { VigilError } from '../errors.js';
import { isAllowedMemberName } from './format.js';

/** More entries than this is not a case bundle (a case has a few dozen tables and its files). */
const MAX_ENTRIES = 300_000;

export interface BundleZip {
  zip: yauzl.ZipFile;
  entries: Map<string, yauzl.Entry>;
}

export async function openBundleZip(path: string, label: string): Promise<BundleZip> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, strictFileNames: true, validateEntrySizes: true, decodeStrings: true });
  } catch (e) {
    throw new VigilError('invalid_input', `${label} is not a Vigil case bundle (not a readable zip file: ${(e as Error).message}).`);
  }
  const entries = new Map<string, yauzl.Entry>();
  try {
    for await (const entry of zip.eachEntry()) {
      const name = entry.fileName;
      if (!isAllowedMemberName(name)) throw new VigilError('invalid_input', `${label} holds an unexpected member ${JSON.stringify(name.slice(0, 120))}; it is not a Vigil case bundle or it was altered.`);
      if (entries.has(name)) throw new VigilError('invalid_input', `${label} holds member ${name} twice; it was altered.`);
      if (entry.isEncrypted()) throw new VigilError('invalid_input', `${label}: member ${name} is encrypted; Vigil bundles never are.`);
      if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) throw new VigilError('invalid_input', `${label}: member ${name} uses an unsupported compression method.`);
      entries.set(name, entry);
      if (entries.size > MAX_ENTRIES) throw new VigilError('invalid_input', `${label} has more than ${MAX_ENTRIES} members; it is not a Vigil case bundle.`);
    }
  } catch (e) {
    zip.close();
    if (e instanceof VigilError) throw e;
    throw new VigilError('invalid_input', `${label} is damaged: its zip directory cannot be read (${(e as Error).message}).`);
  }
  return { zip, entries };
}

export async function openMember(b: BundleZip, name: string): Promise<Readable> {
  const entry = b.entries.get(name);
  if (!entry) throw new VigilError('invalid_input', `The bundle lacks member ${name}.`);
  try {
    return await b.zip.openReadStreamPromise(entry);
  } catch (e) {
    throw new VigilError('invalid_input', `Bundle member ${name} is damaged (${(e as Error).message}).`);
  }
}

/** The whole member as bytes, refusing members larger than `maxBytes`. */
export async function readMember(b: BundleZip, name: string, maxBytes: number): Promise<Buffer> {
  const entry = b.entries.get(name);
  if (!entry) throw new VigilError('invalid_input', `The bundle lacks member ${name}.`);
  if (entry.uncompressedSize > maxBytes) throw new VigilError('invalid_input', `Bundle member ${name} is ${entry.uncompressedSize} bytes, more than the ${maxBytes} allowed.`);
  const chunks: Buffer[] = [];
  try {
    for await (const c of await openMember(b, name)) chunks.push(c as Buffer);
  } catch (e) {
    if (e instanceof VigilError) throw e;
    throw new VigilError('invalid_input', `Bundle member ${name} is damaged (${(e as Error).message}).`);
  }
  return Buffer.concat(chunks);
}
