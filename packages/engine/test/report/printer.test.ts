/**
 * The Chromium printer: offline and inert (no request leaves the page, no script runs), and the report
 * template prints hostile case text as text.
 */
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportReport } from '../../src/report/export.js';
import { ChromiumPrinter, electronPrintOptions } from '../../src/report/printer.js';
import { createCase } from '../../src/store/cases.js';
import { openDatabase } from '../../src/store/db.js';
import { tempDir } from '../helpers/tmp.js';

const pdfText = (file: string) => execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
const opts = { headerTemplate: '<span></span>', footerTemplate: '<div style="font-size:8px"><span class="pageNumber"></span>/<span class="totalPages"></span></div>', marginsMm: { top: 15, right: 15, bottom: 15, left: 15 }, title: 't' };

describe('Chromium printer', () => {
  const dir = tempDir('vigil-printer-');
  let server: Server;
  let base = '';
  const hits: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      res.end('x');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('prints without any network request and without running scripts', async () => {
    const html = `<!DOCTYPE html><html><head><link rel="stylesheet" href="${base}/style.css">
<style>body { background: url('${base}/bg.png'); } @font-face { font-family: x; src: url('${base}/font.woff'); }</style></head>
<body><p>Static body text</p><img src="${base}/image.png"><iframe src="${base}/frame.html"></iframe>
<img src="data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7">
<script>document.body.innerHTML = 'SCRIPT RAN'; fetch('${base}/fetch');</script></body></html>`;
    const pdf = await new ChromiumPrinter().print(html, opts);
    const file = join(dir, 'inert.pdf');
    writeFileSync(file, pdf);
    const text = pdfText(file);
    expect(text).toContain('Static body text');
    expect(text).not.toContain('SCRIPT RAN');
    expect(text).toContain('1/1'); // footer template with page numbers
    expect(hits).toEqual([]);
  });

  it('gives the desktop app the same page set-up for printToPDF (margins in inches)', () => {
    const e = electronPrintOptions(opts);
    expect(e).toMatchObject({ pageSize: 'A4', printBackground: true, displayHeaderFooter: true, headerTemplate: opts.headerTemplate, footerTemplate: opts.footerTemplate });
    expect(e.margins.top).toBeCloseTo(15 / 25.4, 9);
    expect(e.margins.left).toBeCloseTo(15 / 25.4, 9);
  });

  it('names a missing Chromium clearly', async () => {
    await expect(new ChromiumPrinter('/nonexistent/chromium').print('<p>x</p>', opts)).rejects.toThrow(/No Chromium at \/nonexistent\/chromium.*VIGIL_CHROMIUM/);
  });

  it('is cancelled by its signal', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(new ChromiumPrinter().print('<p>x</p>', { ...opts, signal: ac.signal })).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('prints hostile case text literally (escaped, never interpreted)', async () => {
    const db = openDatabase(join(dir, 'h.db'));
    const name = `<img src="${base}/name.png"> & <b>bold</b> "quoted"`;
    const c = createCase(db, { name, examiner: `<script>alert(1)</script>`, description: `</style><h1>injected</h1>` });
    const out = join(dir, 'hostile.pdf');
    await exportReport(db, { caseId: c.id, out });
    const text = pdfText(out);
    expect(text).toContain(name);
    expect(text).toContain('<script>alert(1)</script>');
    expect(text).toContain('</style><h1>injected</h1>');
    expect(text).toContain('No evidence has been imported into this case');
    expect(hits).toEqual([]);
    db.close();
  });
});
