/**
 * Printing the report's HTML to PDF. The template is one self-contained HTML string (inline CSS, images
 * as data: URIs, no script), so any Chromium prints it the same way:
 *  - outside the app (CLI, web host) `ChromiumPrinter` drives a headless Chromium through playwright-core;
 *  - the Electron app can pass its own `PdfPrinter` built on `webContents.printToPDF` with the same
 *    options (A4, backgrounds, header/footer templates, margins).
 * Both are Chromium's print pipeline (Skia PDF backend), hence equal output.
 *
 * The page gets no network: every request other than data: is aborted, JavaScript is disabled and the
 * HTML carries a CSP that only allows inline styles and data: images.
 */
import { existsSync } from 'node:fs';
import { VigilError, throwIfAborted } from '../errors.js';

export interface PrintOptions {
  /** Chromium header/footer templates (elements with class pageNumber/totalPages are filled in). */
  headerTemplate: string;
  footerTemplate: string;
  /** Page margins in millimetres; header and footer print inside the top and bottom margins. */
  marginsMm: { top: number; right: number; bottom: number; left: number };
  /** Document title (PDF metadata). */
  title: string;
  signal?: AbortSignal;
}

export interface PdfPrinter {
  print(html: string, options: PrintOptions): Promise<Uint8Array>;
}

/**
 * The same print settings as Electron's `webContents.printToPDF` options (margins in inches), so the
 * desktop app's printer produces the same pages as `ChromiumPrinter`. Load the HTML into a window with
 * JavaScript disabled and network requests blocked (e.g. from a temp file via loadFile), then call
 * `printToPDF(electronPrintOptions(options))`.
 */
export function electronPrintOptions(o: PrintOptions) {
  const inch = (mm: number) => mm / 25.4;
  return {
    pageSize: 'A4' as const,
    printBackground: true,
    displayHeaderFooter: true,
    headerTemplate: o.headerTemplate,
    footerTemplate: o.footerTemplate,
    margins: { top: inch(o.marginsMm.top), right: inch(o.marginsMm.right), bottom: inch(o.marginsMm.bottom), left: inch(o.marginsMm.left) },
    preferCSSPageSize: false,
    generateTaggedPDF: true,
    generateDocumentOutline: true,
  };
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-extensions',
  '--disable-default-apps',
  '--no-first-run',
  '--no-default-browser-check',
  '--mute-audio',
];

export function chromiumPath(): string {
  return process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium';
}

/** Headless Chromium via playwright-core; one browser per report, closed afterwards (reports are rare). */
export class ChromiumPrinter implements PdfPrinter {
  constructor(private readonly executablePath = chromiumPath()) {}

  async print(html: string, o: PrintOptions): Promise<Uint8Array> {
    throwIfAborted(o.signal);
    if (!existsSync(this.executablePath)) {
      throw new VigilError('not_found', `No Chromium at ${this.executablePath} to print the report; install chromium or set VIGIL_CHROMIUM to its path.`);
    }
    const { chromium } = await import('playwright-core');
    let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
    const onAbort = () => void browser?.close().catch(() => {});
    o.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      try {
        browser = await chromium.launch({ executablePath: this.executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
      } catch (e) {
        throw new VigilError('internal', `Chromium at ${this.executablePath} could not be started to print the report: ${firstLine((e as Error).message)}`);
      }
      throwIfAborted(o.signal);
      const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
      await context.route('**/*', (route) => (route.request().url().startsWith('data:') ? route.continue() : route.abort('blockedbyclient')));
      const page = await context.newPage();
      await page.setContent(html, { waitUntil: 'load', timeout: 120_000 });
      throwIfAborted(o.signal);
      const mm = (v: number) => `${v}mm`;
      const pdf = await page.pdf({
        format: 'A4',
        printBackground: true,
        displayHeaderFooter: true,
        headerTemplate: o.headerTemplate,
        footerTemplate: o.footerTemplate,
        margin: { top: mm(o.marginsMm.top), right: mm(o.marginsMm.right), bottom: mm(o.marginsMm.bottom), left: mm(o.marginsMm.left) },
        preferCSSPageSize: false,
        outline: true,
        tagged: true,
      });
      throwIfAborted(o.signal);
      return new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength);
    } catch (e) {
      if (o.signal?.aborted) throw new VigilError('cancelled', 'The operation was cancelled.');
      if (e instanceof VigilError) throw e;
      throw new VigilError('internal', `Printing the report to PDF failed: ${firstLine((e as Error).message)}`);
    } finally {
      o.signal?.removeEventListener('abort', onAbort);
      await browser?.close().catch(() => {});
    }
  }
}

const firstLine = (s: string) => s.split('\n')[0].slice(0, 300);
