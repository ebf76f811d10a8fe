/**
 * Finishing the printed PDF with pdf-lib: embeds the manifest as a file attachment (a PDF "embedded
 * file", listed by any reader's attachments pane and by `pdfdetach`), sets the document information
 * and counts the pages.
 */
import { PDFDocument } from 'pdf-lib';
import { VigilError } from '../errors.js';
import { MANIFEST_NAME } from './manifest.js';

export interface FinishOptions {
  manifest: Uint8Array;
  manifestSha256: string;
  title: string;
  author: string | null;
  subject: string;
  keywords: string[];
  producer: string;
  creator: string;
  createdAt: Date;
}

export async function finishPdf(printed: Uint8Array, o: FinishOptions): Promise<{ bytes: Uint8Array; pages: number }> {
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(printed, { updateMetadata: false });
  } catch (e) {
    throw new VigilError('internal', `The printer produced a PDF that cannot be read back: ${(e as Error).message}`);
  }
  await doc.attach(o.manifest, MANIFEST_NAME, {
    mimeType: 'application/json',
    description: `Vigil report manifest (canonical JSON), SHA-256 ${o.manifestSha256}`,
    creationDate: o.createdAt,
    modificationDate: o.createdAt,
  });
  doc.setTitle(o.title, { showInWindowTitleBar: true });
  if (o.author) doc.setAuthor(o.author);
  doc.setSubject(o.subject);
  doc.setKeywords(o.keywords);
  doc.setProducer(o.producer);
  doc.setCreator(o.creator);
  doc.setCreationDate(o.createdAt);
  doc.setModificationDate(o.createdAt);
  const pages = doc.getPageCount();
  const bytes = await doc.save();
  return { bytes, pages };
}
