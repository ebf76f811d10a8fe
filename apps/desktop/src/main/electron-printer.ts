/**
 * Report printing in the desktop app: the report HTML (self-contained: inline CSS, data: images) is
 * served on a private `vigil-print:` scheme of its own session to a hidden window with JavaScript off
 * and every other request refused, then printed with printToPDF using the same page set-up as the
 * CLI's headless Chromium. No file:// page is ever loaded.
 */
import { BrowserWindow, session } from 'electron';
import { electronPrintOptions, type PdfPrinter, type PrintOptions } from '@vigil/engine';
import { PRINT_SCHEME } from './security.js';

let jobs = 0;

export class ElectronPrinter implements PdfPrinter {
  async print(html: string, options: PrintOptions): Promise<Uint8Array> {
    const printSession = session.fromPartition(`vigil-print-${++jobs}`);
    const page = `${PRINT_SCHEME}://report/index.html`;
    printSession.protocol.handle(PRINT_SCHEME, () => new Response(html, { headers: { 'content-type': 'text/html; charset=utf-8' } }));
    printSession.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !(details.url === page || details.url.startsWith('data:')) }));
    const win = new BrowserWindow({ show: false, webPreferences: { javascript: false, sandbox: true, contextIsolation: true, nodeIntegration: false, session: printSession } });
    try {
      await win.loadURL(page);
      return new Uint8Array(await win.webContents.printToPDF(electronPrintOptions(options)));
    } finally {
      win.destroy();
      printSession.protocol.unhandle(PRINT_SCHEME);
    }
  }
}
