/**
 * Printing from a job worker through its host. In the desktop app, report jobs run in a utility
 * process that cannot open windows; the host (Electron main) prints with `printToPDF`, so the app and
 * the CLI render the same HTML template with the same Chromium page set-up.
 */
import type { PdfPrinter, PrintOptions } from '../report/printer.js';
import { VigilError } from '../errors.js';

export interface PrintRequest {
  type: 'print';
  id: number;
  html: string;
  options: Omit<PrintOptions, 'signal'>;
}
export type PrintReply = { type: 'printed'; id: number; pdf: string } | { type: 'print-failed'; id: number; message: string };

/** Worker side: sends the HTML to the host and waits for the PDF bytes. */
export class RemotePrinter implements PdfPrinter {
  private next = 1;
  private waiting = new Map<number, { ok: (b: Uint8Array) => void; fail: (e: Error) => void }>();

  constructor(private readonly send: (m: PrintRequest) => void) {}

  /** Feed every message from the host here. */
  receive(m: unknown): void {
    const r = m as PrintReply;
    const w = r && (r.type === 'printed' || r.type === 'print-failed') ? this.waiting.get(r.id) : undefined;
    if (!w) return;
    this.waiting.delete(r.id);
    if (r.type === 'printed') w.ok(new Uint8Array(Buffer.from(r.pdf, 'base64')));
    else w.fail(new VigilError('internal', `The app could not print the report: ${r.message}`));
  }

  print(html: string, options: PrintOptions): Promise<Uint8Array> {
    const id = this.next++;
    const { signal, ...rest } = options;
    return new Promise((ok, fail) => {
      this.waiting.set(id, { ok, fail });
      signal?.addEventListener('abort', () => this.waiting.delete(id) && fail(new VigilError('cancelled', 'The operation was cancelled.')), { once: true });
      this.send({ type: 'print', id, html, options: rest });
    });
  }
}

/** Host side: answers a worker's print request with the given printer. */
export async function answerPrintRequest(printer: PdfPrinter, req: PrintRequest, reply: (m: PrintReply) => void): Promise<void> {
  try {
    const pdf = await printer.print(req.html, req.options);
    reply({ type: 'printed', id: req.id, pdf: Buffer.from(pdf).toString('base64') });
  } catch (e) {
    reply({ type: 'print-failed', id: req.id, message: (e as Error).message });
  }
}
