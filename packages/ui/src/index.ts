/** @vigil/ui: the review UI over the engine's API contract. Importing it also brings its stylesheet. */
import './styles.css';

export { App } from './components/App';
export { ErrorBanner } from './components/ErrorBanner';
export { JobProgress } from './components/JobProgress';
export { Player, PLAYBACK_RATES } from './player/Player';
export { ClientProvider, useClient } from './hooks/client-context';
export { useOp, useOpMutation, type OpQueryOptions, type OpMutationOptions } from './hooks/use-op';
export { useLiveUpdates, applyEvent, applyJobUpdate } from './hooks/use-live-updates';
export { useCancelJob } from './hooks/use-jobs';
export { createVigilQueryClient } from './hooks/query-client';
export { opKey, prefixesFor } from './hooks/query-keys';
export { fresherJob, mergeJobList, upsertJob, isActive, isFinal } from './hooks/job-merge';
export * from './player/frame-math';
export { createHttpClient } from './client/http-client';
export { createIpcClient, type VigilBridge } from './client/ipc-client';
export { ReviewProvider, useReview, usePlayerSnapshot } from './review/review-context';
export { PlayerBus } from './review/player-bus';
export { Timeline } from './timeline/Timeline';
export { OverlayCanvas } from './player/OverlayCanvas';
export { drawOverlay, type OverlayScene } from './player/overlay-draw';
export { SHORTCUTS } from './review/shortcuts';
