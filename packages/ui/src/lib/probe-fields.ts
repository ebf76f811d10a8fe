/**
 * Reads the optional, display-only parts of an evidence item's ffprobe-derived metadata. The probe
 * record is open-ended (contract: `record<string, unknown>`), so every field is checked for type and
 * missing ones read as null rather than guessed.
 */

export interface AudioStreamInfo {
  codec: string | null;
  channels: number | null;
  sampleRate: number | null;
}

export interface ProbeDisplay {
  startTimeS: number | null;
  rotationDeg: number | null;
  creationTime: string | null;
  audio: AudioStreamInfo[] | null;
  pixelFormat: string | null;
  bitRate: number | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

function first<T>(probe: Record<string, unknown>, keys: string[], read: (v: unknown) => T | null): T | null {
  for (const k of keys) {
    const v = read(probe[k]);
    if (v !== null) return v;
  }
  return null;
}

function readAudio(v: unknown): AudioStreamInfo[] | null {
  if (!Array.isArray(v)) return null;
  return v.map((s) => {
    const o = (s && typeof s === 'object' ? s : {}) as Record<string, unknown>;
    return {
      codec: str(o.codec) ?? str(o.codecName) ?? str(o.codec_name),
      channels: num(o.channels),
      sampleRate: num(o.sampleRate) ?? num(o.sampleRateHz) ?? (typeof o.sample_rate === 'string' ? Number(o.sample_rate) || null : num(o.sample_rate)),
    };
  });
}

export function probeDisplay(probe: Record<string, unknown>): ProbeDisplay {
  const tags = (probe.tags && typeof probe.tags === 'object' ? probe.tags : {}) as Record<string, unknown>;
  return {
    startTimeS: first(probe, ['startTimeS', 'startTime'], num),
    rotationDeg: first(probe, ['rotationDeg', 'rotation'], num),
    creationTime: first(probe, ['creationTime'], str) ?? str(tags.creation_time),
    audio: first(probe, ['audioStreams', 'audio'], readAudio),
    pixelFormat: first(probe, ['pixelFormat', 'pixFmt'], str),
    bitRate: first(probe, ['bitRate', 'bitRateBps'], num),
  };
}

export function describeAudio(audio: AudioStreamInfo[] | null): string {
  if (audio === null) return '—';
  if (audio.length === 0) return 'none';
  return audio
    .map((a) => [a.codec ?? '?', a.channels !== null ? `${a.channels} ch` : null, a.sampleRate !== null ? `${a.sampleRate} Hz` : null].filter(Boolean).join(' · '))
    .join('; ');
}
