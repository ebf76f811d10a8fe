import { describe, expect, it } from 'vitest';
import { answerPrintRequest, RemotePrinter, type PrintRequest } from '../../src/jobs/remote-printer.js';
import type { PdfPrinter } from '../../src/report/printer.js';

const options = { headerTemplate: '<span></span>', footerTemplate: '<span class="pageNumber"></span>', marginsMm: { top: 20, right: 15, bottom: 20, left: 15 }, title: 'T' };

describe('printing through the host (desktop report jobs)', () => {
  it('round-trips HTML to the host printer and PDF bytes back, matching replies by id', async () => {
    const host: PdfPrinter = { print: async (html) => new TextEncoder().encode(`%PDF-${html.length}`) };
    const sent: PrintRequest[] = [];
    const worker = new RemotePrinter((m) => sent.push(m));
    const a = worker.print('<p>a</p>', options);
    const b = worker.print('<p>bb</p>', options);
    expect(sent.map((s) => s.id)).toEqual([1, 2]);
    expect(sent[0].options).toEqual(options);
    // Replies may arrive in any order.
    await answerPrintRequest(host, sent[1], (r) => worker.receive(r));
    await answerPrintRequest(host, sent[0], (r) => worker.receive(r));
    expect(new TextDecoder().decode(await a)).toBe('%PDF-8');
    expect(new TextDecoder().decode(await b)).toBe('%PDF-9');
  });

  it('turns a host failure into a clear error and honours cancel', async () => {
    const failing: PdfPrinter = { print: async () => { throw new Error('GPU process gone'); } };
    const sent: PrintRequest[] = [];
    const worker = new RemotePrinter((m) => sent.push(m));
    const p = worker.print('<p/>', options);
    await answerPrintRequest(failing, sent[0], (r) => worker.receive(r));
    await expect(p).rejects.toThrow(/could not print the report: GPU process gone/);
    const ac = new AbortController();
    const q = worker.print('<p/>', { ...options, signal: ac.signal });
    ac.abort();
    await expect(q).rejects.toThrow(/cancelled/);
  });
});
