/** Public API of the media layer: tool resolution, probing, hashing, frame reading, proxies. */
export {
  MEDIA_TOOL_RESOLUTION_ORDER,
  clearMediaToolCache,
  resolveFfmpeg,
  resolveFfprobe,
  unpackedAsarPath,
  type MediaTool,
  type ResolutionStep,
  type ResolvedTool,
  type ToolSource,
} from './ffmpeg-path.js';
export {
  MAX_DIMENSION,
  MAX_FRAME_COUNT,
  isBrowserPlayable,
  parseRate,
  probe,
  type AudioStreamInfo,
  type FrameCountSource,
  type ProbeOptions,
  type ProbeResult,
} from './probe.js';
export { sha256Buffer, sha256File, type HashOptions } from './hash.js';
export {
  DECODE_AHEAD_MIN_FRAMES,
  frameBytes,
  readFrameAt,
  readFrames,
  type Frame,
  type FrameFormat,
  type ReadFramesOptions,
  type YuvFormat,
  type YuvFrame,
} from './frame-reader.js';
export { DECODE_AHEAD_BYTES, DECODE_AHEAD_FRAMES, decodeAheadStatus } from './decode-ahead.js';
export { yuvLuma, yuvPlanes, yuvToRgb, type YuvPlanes } from './yuv.js';
export {
  PROXY_MAX_SIDE,
  fpsRational,
  frameForProxyTime,
  makeProxy,
  needsProxy,
  proxySeekTimeForFrame,
  proxyTimeForFrame,
  type ProxyOptions,
  type ProxyResult,
} from './proxy.js';
export { cachedPacketIndex, isVariableFrameRate, readPacketIndex, type PacketIndex } from './packet-index.js';
export { runTool, shortToolReason, type RunToolOptions, type ToolRun } from './run-tool.js';
