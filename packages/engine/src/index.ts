/** Public surface of the engine for the desktop shell and the web host. */
export { Engine, defaultWorkDir, toErrorBody, type EngineOptions } from './api/engine.js';
export { startWebHost, type WebHost, type WebHostOptions } from './api/http-server.js';
export { contentSecurityPolicy } from './api/csp.js';
export { parseRange, type RangeResult } from './api/range.js';
export * from './api/contract.js';
export { JobRunner, forkSpawner, workerScript, type Spawner, type WorkerHandle } from './jobs/runner.js';
export { VigilError, isVigilError } from './errors.js';
export { VIGIL_VERSION } from './version.js';
export { electronPrintOptions, type PdfPrinter, type PrintOptions } from './report/printer.js';
