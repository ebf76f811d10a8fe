/** Evaluation metrics and dataset loading. Every definition and its source: ./METRICS.md. */
export * from './roc.js';
export * from './frame-auc.js';
export * from './rbdc.js';
export * from './pixel-auc.js';
export * from './temporal.js';
export * from './dataset.js';
export * from './qa-metrics.js';
