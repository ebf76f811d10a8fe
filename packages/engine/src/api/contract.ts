/**
 * The one typed API contract between the engine and every client (Electron IPC and the loopback HTTP
 * web host). Each operation is declared once: name → input schema → output schema. Servers validate
 * inputs against these schemas; the UI client and react-query hooks are typed from them.
 *
 * This module must stay free of Node APIs: the renderer bundles it.
 */
import { z } from 'zod';

/** Opaque ids: a short prefix and base32 characters. Never file paths. */
const id = (prefix: string) =>
  z.string().max(64).regex(new RegExp(`^${prefix}_[a-z2-7]{10,40}$`), `expected a ${prefix}_… id`);

export const Ids = {
  case: id('case'),
  evidence: id('ev'),
  job: id('job'),
  analysis: id('an'),
  event: id('evt'),
  note: id('note'),
  conversation: id('conv'),
  zone: id('zone'),
  report: id('rep'),
  definition: id('def'),
  message: id('msg'),
};

const text = (max: number) => z.string().max(max);
const isoTime = z.string();

// ---------- entities ----------

export const CaseSchema = z.object({
  id: z.string(),
  name: z.string(),
  examiner: z.string().nullable(),
  description: z.string().nullable(),
  createdAt: isoTime,
  evidenceCount: z.number().int(),
});
export type Case = z.infer<typeof CaseSchema>;

export const ProbeSchema = z.record(z.string(), z.unknown());

export const EvidenceSchema = z.object({
  id: z.string(),
  caseId: z.string(),
  fileName: z.string(),
  sizeBytes: z.number(),
  sha256: z.string(),
  importedAt: isoTime,
  width: z.number(),
  height: z.number(),
  fps: z.number(),
  frameCount: z.number(),
  durationS: z.number(),
  codec: z.string(),
  container: z.string(),
  /** Full ffprobe-derived metadata (see media/probe.ts ProbeResult). */
  probe: ProbeSchema,
  /** 'original' = plays as is; 'ready' = playback proxy exists; 'pending'/'failed' otherwise. */
  playback: z.enum(['original', 'pending', 'ready', 'failed']),
});
export type Evidence = z.infer<typeof EvidenceSchema>;

export const JobKind = z.enum(['import', 'proxy', 'analysis', 'report']);
export const JobState = z.enum(['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted']);
export const JobSchema = z.object({
  id: z.string(),
  caseId: z.string().nullable(),
  kind: JobKind,
  state: JobState,
  progress: z.number(),
  stage: z.string().nullable(),
  error: z.string().nullable(),
  /** Id of what the job produced or works on (evidence id, analysis id, report id). */
  targetId: z.string().nullable(),
  createdAt: isoTime,
  startedAt: isoTime.nullable(),
  finishedAt: isoTime.nullable(),
  /** Seconds remaining, estimated from progress so far (null until meaningful). */
  etaS: z.number().nullable(),
});
export type Job = z.infer<typeof JobSchema>;

export const NoteSchema = z.object({
  id: z.string(),
  caseId: z.string(),
  evidenceId: z.string().nullable(),
  eventId: z.string().nullable(),
  kind: z.enum(['note', 'bookmark']),
  frame: z.number().int().nullable(),
  time: z.number().nullable(),
  title: z.string(),
  body: z.string(),
  createdAt: isoTime,
});
export type Note = z.infer<typeof NoteSchema>;

export const AuditRowSchema = z.object({
  seq: z.number().int(),
  at: isoTime,
  action: z.string(),
  caseId: z.string().nullable(),
  subject: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  hash: z.string(),
});
export type AuditRow = z.infer<typeof AuditRowSchema>;

export const AppInfoSchema = z.object({
  name: z.literal('Vigil'),
  version: z.string(),
  dbPath: z.string(),
  transport: z.enum(['http', 'ipc']),
  ffmpeg: z.object({ path: z.string(), source: z.string() }).nullable(),
  node: z.string(),
  platform: z.string(),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

export const AttributeContributionSchema = z.object({ attribute: z.string(), value: z.union([z.number(), z.string()]), normal: z.union([z.number(), z.string()]), score: z.number() });
export const TrajectorySchema = z.object({ entry: z.string(), exit: z.string(), turns: z.array(z.string()), text: z.string() });
const BoxSchema = z.tuple([z.number(), z.number(), z.number(), z.number()]);

export const AnalysisSchema = z.object({
  id: z.string(),
  caseId: z.string(),
  evidenceId: z.string(),
  jobId: z.string().nullable(),
  state: z.enum(['running', 'done', 'failed', 'cancelled', 'interrupted']),
  params: z.record(z.string(), z.unknown()),
  models: z.array(z.object({ name: z.string(), sha256: z.string(), source: z.string(), ep: z.string() })),
  reference: z.union([z.literal('self'), z.array(z.string())]),
  stats: z.record(z.string(), z.unknown()).nullable(),
  engineVersion: z.string(),
  createdAt: isoTime,
  finishedAt: isoTime.nullable(),
});
export type Analysis = z.infer<typeof AnalysisSchema>;

export const TrackSchema = z.object({
  id: z.number(), label: z.string(), firstFrame: z.number(), lastFrame: z.number(), startTime: z.number(), endTime: z.number(),
  maxScore: z.number(), meanSpeed: z.number(), why: z.array(AttributeContributionSchema), trajectory: TrajectorySchema,
});
export type Track = z.infer<typeof TrackSchema>;

export const ObservationSchema = z.object({
  trackId: z.number(), frame: z.number(), time: z.number(), box: BoxSchema, label: z.string(), confidence: z.number(), score: z.number(),
  speed: z.number(), direction: z.number().nullable(), interpolated: z.boolean().optional(),
});
export type Observation = z.infer<typeof ObservationSchema>;

export const ReviewState = z.enum(['unreviewed', 'confirmed', 'dismissed']);
export const EventSchema = z.object({
  id: z.string(), analysisId: z.string(), caseId: z.string(), evidenceId: z.string(), seq: z.number(),
  startTime: z.number(), endTime: z.number(), startFrame: z.number(), endFrame: z.number(), peakFrame: z.number(), peakTime: z.number(), peakScore: z.number(),
  confidence: z.number(), category: z.string().nullable(), trackIds: z.array(z.number()), topAttributes: z.array(AttributeContributionSchema),
  trajectories: z.array(z.object({ trackId: z.number(), summary: TrajectorySchema })), boxes: z.array(z.object({ trackId: z.number(), box: BoxSchema })),
  reviewState: ReviewState, reviewNote: z.string(), reviewedAt: isoTime.nullable(),
});
export type AnomalyEventRecord = z.infer<typeof EventSchema>;

export const CitationSchema = z.object({
  evidenceId: z.string(),
  startTime: z.number(),
  endTime: z.number(),
  frame: z.number().optional(),
  trackIds: z.array(z.number()).optional(),
  boxes: z.array(z.object({ trackId: z.number(), box: BoxSchema })).optional(),
});
export type Citation = z.infer<typeof CitationSchema>;

export const ChatMessageSchema = z.object({
  id: z.string(), seq: z.number(), role: z.enum(['user', 'assistant']), text: z.string(),
  citations: z.array(CitationSchema), refused: z.boolean(), createdAt: isoTime,
});
export const ConversationSchema = z.object({ id: z.string(), caseId: z.string(), title: z.string(), createdAt: isoTime, messages: z.array(ChatMessageSchema) });
export const ConversationSummarySchema = z.object({ id: z.string(), caseId: z.string(), title: z.string(), createdAt: isoTime, messageCount: z.number(), lastMessageAt: isoTime.nullable() });
export type Conversation = z.infer<typeof ConversationSchema>;
export const AnswerSchema = z.object({ conversationId: z.string(), messageId: z.string(), answer: z.string(), citations: z.array(CitationSchema), refused: z.boolean() });
export type Answer = z.infer<typeof AnswerSchema>;

export const ReasoningSchema = z.object({
  eventId: z.string(),
  evidenceId: z.string(),
  startTime: z.number(),
  endTime: z.number(),
  category: z.string(),
  /** Where the category came from: a user definition, the built-in taxonomy, or the strongest attribute. */
  source: z.enum(['definition', 'taxonomy', 'attribute']),
  definitionId: z.string().optional(),
  confidence: z.number(),
  storedCategory: z.string().nullable(),
  /** Observation → comparison with normal → conclusion, each with its citations. */
  steps: z.array(z.object({ kind: z.string(), text: z.string(), citations: z.array(CitationSchema) })),
  text: z.string(),
});
export type Reasoning = z.infer<typeof ReasoningSchema>;

export const ZoneSchema = z.object({ id: z.string(), caseId: z.string(), evidenceId: z.string(), name: z.string(), polygon: z.array(z.tuple([z.number(), z.number()])), createdAt: isoTime });
export type Zone = z.infer<typeof ZoneSchema>;
/** `rule` is the parsed form (reasoning/definitions.ts DefinitionRule), shown for transparency. */
export const DefinitionSchema = z.object({ id: z.string(), caseId: z.string(), text: z.string(), rule: z.unknown(), createdAt: isoTime });
export type Definition = z.infer<typeof DefinitionSchema>;

export const ModelStatusSchema = z.object({
  name: z.string(), task: z.string().nullable(), source: z.string().nullable(), licence: z.string().nullable(), sha256: z.string().nullable(),
  status: z.enum(['built', 'missing', 'corrupt']), problem: z.string().optional(), ep: z.string(),
});

export const ReportSchema = z.object({ id: z.string(), caseId: z.string(), sha256: z.string(), pages: z.number(), fileName: z.string(), createdAt: isoTime, options: z.record(z.string(), z.unknown()) });
export type Report = z.infer<typeof ReportSchema>;

// ---------- operations ----------

const empty = z.object({}).strict();

/** Zone fields, shared by zones.add and zones.update so both validate alike. */
const zoneName = text(80).trim().min(1, 'a zone needs a name');
const zonePolygon = z.array(z.tuple([z.number().min(0).max(1e5), z.number().min(0).max(1e5)])).min(3, 'a zone needs at least 3 corners').max(200);

function op<I extends z.ZodType, O extends z.ZodType>(input: I, output: O, doc: string) {
  return { input, output, doc };
}

export const contract = {
  'app.info': op(empty, AppInfoSchema, 'Versions, database path and media tooling of this engine.'),

  'cases.list': op(empty, z.array(CaseSchema), 'All cases, newest first.'),
  'cases.create': op(
    z.object({ name: text(200).trim().min(1, 'a case needs a name'), examiner: text(200).optional(), description: text(4000).optional() }).strict(),
    CaseSchema,
    'Create a case.',
  ),
  'cases.get': op(z.object({ caseId: Ids.case }).strict(), CaseSchema, 'One case.'),

  'evidence.list': op(z.object({ caseId: Ids.case }).strict(), z.array(EvidenceSchema), 'Evidence of a case, in import order.'),
  'evidence.get': op(z.object({ evidenceId: Ids.evidence }).strict(), EvidenceSchema, 'One evidence item.'),
  'evidence.import': op(
    z.object({ caseId: Ids.case, path: text(4096).min(1, 'a file path is needed') }).strict(),
    z.object({ jobId: z.string() }),
    'Start importing a footage file (hash, probe, playback proxy when needed). Progress arrives as job events.',
  ),

  'jobs.list': op(z.object({ caseId: Ids.case.optional() }).strict(), z.array(JobSchema), 'Recent jobs, newest first.'),
  'jobs.get': op(z.object({ jobId: Ids.job }).strict(), JobSchema, 'One job.'),
  'jobs.cancel': op(z.object({ jobId: Ids.job }).strict(), JobSchema, 'Ask a queued or running job to stop.'),

  'notes.list': op(z.object({ caseId: Ids.case, evidenceId: Ids.evidence.optional() }).strict(), z.array(NoteSchema), 'Notes and bookmarks.'),
  'notes.add': op(
    z
      .object({
        caseId: Ids.case,
        evidenceId: Ids.evidence.optional(),
        eventId: Ids.event.optional(),
        kind: z.enum(['note', 'bookmark']).default('note'),
        frame: z.number().int().min(0).max(1e9).optional(),
        time: z.number().min(0).max(1e7).optional(),
        title: text(200).default(''),
        body: text(20000).default(''),
      })
      .strict(),
    NoteSchema,
    'Add an analyst note or a bookmark at a frame.',
  ),
  'notes.remove': op(
    z.object({ caseId: Ids.case, noteId: Ids.note }).strict(),
    z.object({ removed: z.boolean() }),
    'Remove a note or bookmark; the audit log keeps what it said.',
  ),

  'analysis.start': op(
    z
      .object({
        evidenceId: Ids.evidence,
        /** Evidence of the same case marked as normal reference footage; none = self-referenced. */
        reference: z.array(Ids.evidence).max(50).optional(),
        /**
         * Self-referenced together with this other evidence of the same camera, not known to be normal: one
         * normality model over all of it (an anomaly filling this clip is still judged against the rest).
         * Not with `reference`.
         */
        together: z.array(Ids.evidence).max(50).optional(),
        fps: z.number().min(0.5).max(60).optional(),
        detector: z.enum(['auto', 'nanodet', 'centernet', 'none']).default('auto'),
      })
      .strict(),
    z.object({ jobId: z.string() }),
    'Start an anomaly analysis of one evidence item (a job with progress and cancel).',
  ),
  'analysis.list': op(z.object({ evidenceId: Ids.evidence }).strict(), z.array(AnalysisSchema), 'Analyses of an evidence item, newest first.'),
  'analysis.scores': op(
    z.object({ analysisId: Ids.analysis }).strict(),
    z.object({ frames: z.array(z.number()), times: z.array(z.number()), raw: z.array(z.number()), smoothed: z.array(z.number()), sigma: z.number(), enterThreshold: z.number(), exitThreshold: z.number() }),
    'The anomaly score curve (raw and smoothed) of an analysis.',
  ),
  'analysis.tracks': op(z.object({ analysisId: Ids.analysis }).strict(), z.array(TrackSchema), 'Tracked objects with why-attributes and path summaries.'),
  'analysis.overlay': op(
    z.object({ analysisId: Ids.analysis, frame: z.number().int().min(0).max(1e9) }).strict(),
    z.object({
      frame: z.number().nullable(),
      observations: z.array(ObservationSchema),
      /** Paths (frame, centre x, centre y) of the tracks visible at that frame, for trajectory overlays. */
      paths: z.array(z.object({ trackId: z.number(), label: z.string(), points: z.array(z.tuple([z.number(), z.number(), z.number()])) })),
    }),
    'Boxes and trajectories to draw over one frame (the nearest analysed frame).',
  ),
  'analysis.heatmap': op(
    z.object({ analysisId: Ids.analysis, frame: z.number().int().min(0).max(1e9) }).strict(),
    z.object({ frame: z.number(), width: z.number(), height: z.number(), data: z.string() }).nullable(),
    'Pixel heatmap of the nearest analysed frame: uint8 row-major, base64.',
  ),
  'events.list': op(z.object({ caseId: Ids.case, evidenceId: Ids.evidence.optional() }).strict(), z.array(EventSchema), 'Events of the latest analysis of each evidence item.'),
  'events.review': op(
    z.object({ eventId: Ids.event, state: ReviewState, note: text(20000).optional() }).strict(),
    EventSchema,
    'Confirm or dismiss an event, with an analyst note.',
  ),

  'evidence.makeProxy': op(z.object({ evidenceId: Ids.evidence }).strict(), z.object({ jobId: z.string() }), 'Make (or remake) the playback copy of an evidence item the viewer cannot play.'),
  'evidence.thumbnail': op(
    z.object({ evidenceId: Ids.evidence, frame: z.number().int().min(0).max(1e9), width: z.number().int().min(32).max(640).default(160) }).strict(),
    z.object({ frame: z.number(), mime: z.literal('image/jpeg'), data: z.string() }),
    'A small JPEG of one frame (timeline hover), base64.',
  ),
  'models.list': op(empty, z.array(ModelStatusSchema), 'Installed models, their provenance, integrity and execution provider.'),

  'chat.ask': op(
    z.object({ caseId: Ids.case, conversationId: Ids.conversation.optional(), question: z.string().max(10000, 'questions are limited to 10 000 characters') }).strict(),
    AnswerSchema,
    'Ask a question about the case; the answer cites evidence or refuses.',
  ),
  'chat.list': op(z.object({ caseId: Ids.case }).strict(), z.array(ConversationSummarySchema), 'Conversations of a case, newest first.'),
  'chat.get': op(z.object({ caseId: Ids.case, conversationId: Ids.conversation }).strict(), ConversationSchema, 'One conversation with its messages.'),
  'events.explain': op(z.object({ eventId: Ids.event }).strict(), ReasoningSchema, 'Grounded reasoning steps for one event.'),

  'zones.list': op(z.object({ caseId: Ids.case, evidenceId: Ids.evidence.optional() }).strict(), z.array(ZoneSchema), 'Named zones drawn on evidence frames.'),
  'zones.add': op(z.object({ caseId: Ids.case, evidenceId: Ids.evidence, name: zoneName, polygon: zonePolygon }).strict(), ZoneSchema, 'Add a named polygon zone (source pixels).'),
  'zones.update': op(
    z.object({ caseId: Ids.case, zoneId: Ids.zone, name: zoneName.optional(), polygon: zonePolygon.optional() }).strict(),
    ZoneSchema,
    'Rename a zone and/or replace its polygon (source pixels); the audit log keeps the old values.',
  ),
  'zones.remove': op(z.object({ caseId: Ids.case, zoneId: Ids.zone }).strict(), z.object({ removed: z.boolean() }), 'Remove a zone.'),
  'definitions.list': op(z.object({ caseId: Ids.case }).strict(), z.array(DefinitionSchema), 'User-defined anomaly definitions of a case.'),
  'definitions.add': op(z.object({ caseId: Ids.case, text: text(500).trim().min(1) }).strict(), DefinitionSchema, 'Add an anomaly definition such as "bicycle" or "person stationary > 60 s"; refused when the models cannot see it.'),
  'definitions.remove': op(z.object({ caseId: Ids.case, definitionId: Ids.definition }).strict(), z.object({ removed: z.boolean() }), 'Remove a definition.'),

  'reports.export': op(
    z.object({ caseId: Ids.case, eventIds: z.array(Ids.event).max(500).optional(), transcript: z.boolean().default(false) }).strict(),
    z.object({ jobId: z.string() }),
    'Export the case as an annotated PDF report (a job).',
  ),
  'reports.list': op(z.object({ caseId: Ids.case }).strict(), z.array(ReportSchema), 'Reports exported for a case.'),

  'audit.list': op(z.object({ caseId: Ids.case, limit: z.number().int().min(1).max(1000).default(200) }).strict(), z.array(AuditRowSchema), 'Audit log rows of a case, newest first.'),
  'audit.verify': op(empty, z.object({ ok: z.boolean(), rows: z.number().int(), firstBadSeq: z.number().int().nullable() }), 'Check the hash chain of the audit log.'),
} as const;

export type Contract = typeof contract;
export type OpName = keyof Contract;
export type OpInput<K extends OpName> = z.input<Contract[K]['input']>;
export type OpParsedInput<K extends OpName> = z.output<Contract[K]['input']>;
export type OpOutput<K extends OpName> = z.output<Contract[K]['output']>;

export const opNames = Object.keys(contract) as OpName[];

export function isOpName(name: string): name is OpName {
  return Object.prototype.hasOwnProperty.call(contract, name);
}

/**
 * Events pushed from the engine to clients (one subscription channel on both transports). `resync` is
 * sent by a transport, not the engine: events were lost (e.g. a reconnect after the host's replay buffer
 * moved on), so the client must refetch everything it shows.
 */
export const ApiEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('job'), job: JobSchema }),
  z.object({ type: z.literal('changed'), caseId: z.string().nullable(), what: z.enum(['cases', 'evidence', 'notes', 'analyses', 'events', 'conversations', 'reports', 'zones']) }),
  z.object({ type: z.literal('resync'), reason: z.string() }),
]);
export type ApiEvent = z.infer<typeof ApiEventSchema>;

/** Failure shape on both transports. `code` mirrors the engine's error codes. */
export interface ApiErrorBody {
  error: { code: string; message: string; issues?: { path: string; message: string }[] };
}

/** What a client offers the UI: typed calls, the event stream, and media URLs by opaque id. */
export interface ApiClient {
  call<K extends OpName>(op: K, input: OpInput<K>): Promise<OpOutput<K>>;
  subscribe(listener: (event: ApiEvent) => void): () => void;
  /** URL the <video> element can play for an evidence item (original or proxy, chosen by the engine). */
  mediaUrl(evidenceId: string): string;
  /** URL of an exported report PDF (for download / opening). */
  reportUrl(reportId: string): string;
  /**
   * Desktop only: import files chosen in the system dialog or dropped on the window. The paths stay in
   * the privileged preload/main side; the page gets job ids back.
   */
  desktopImport?: { choose(caseId: string): Promise<string[]>; drop(caseId: string, files: File[]): Promise<string[]> };
  readonly transport: 'http' | 'ipc';
}

/** Error thrown by clients when the engine refuses a call. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}
