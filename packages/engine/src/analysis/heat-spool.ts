/**
 * Disk spool of the per-frame foreground maps (heat-cell resolution, one byte per cell) between the first
 * pass and the heatmap pass, so memory stays independent of footage length: heatmaps need the scores,
 * which (with self-reference) are only known after the whole footage has been seen.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export class HeatSpool {
  readonly recordBytes: number;
  private readonly dir: string;
  private readonly fd: number;
  private count = 0;
  private closed = false;

  constructor(recordBytes: number) {
    this.recordBytes = recordBytes;
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-heat-'));
    this.fd = openSync(path.join(this.dir, 'foreground.bin'), 'w+');
  }

  get length(): number {
    return this.count;
  }

  append(record: Uint8Array): void {
    if (record.length !== this.recordBytes) throw new RangeError(`HeatSpool: record of ${record.length} bytes, expected ${this.recordBytes}`);
    writeSync(this.fd, record, 0, record.length, this.count * this.recordBytes);
    this.count++;
  }

  read(k: number, out: Uint8Array = new Uint8Array(this.recordBytes)): Uint8Array {
    if (k < 0 || k >= this.count) throw new RangeError(`HeatSpool: record ${k} of ${this.count}`);
    readSync(this.fd, out, 0, this.recordBytes, k * this.recordBytes);
    return out;
  }

  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
