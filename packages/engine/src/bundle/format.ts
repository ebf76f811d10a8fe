/**
 * The `.vigilcase` bundle format (version 1): a zip holding one case.
 *
 *   manifest.json          what the bundle holds and the SHA-256 + size of every other member
 *   manifest.sha256        SHA-256 of manifest.json (hex, one line)
 *   tables/<table>.jsonl   the case's rows, one JSON object per line (column → value)
 *   audit/extract.jsonl    the case's audit rows from the source database, with their chain hashes
 *   reports/<id>.pdf       exported report PDFs
 *   evidence/<sha256><ext> evidence originals (only with --include-evidence; otherwise referenced by hash)
 *
 * Cell values are JSON except BLOBs ({"$base64": ...}) and non-finite REALs ({"$real": "Infinity"}).
 */
import { z } from 'zod';
import { VigilError } from '../errors.js';

export const BUNDLE_FORMAT = 'vigil-case-bundle';
export const BUNDLE_VERSION = 1;
export const MANIFEST = 'manifest.json';
export const MANIFEST_DIGEST = 'manifest.sha256';
export const AUDIT_MEMBER = 'audit/extract.jsonl';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

export const MemberSchema = z.object({ path: z.string().max(300), sha256: sha256Hex, bytes: z.number().int().min(0) }).strict();

export const ManifestSchema = z
  .object({
    format: z.literal(BUNDLE_FORMAT),
    formatVersion: z.literal(BUNDLE_VERSION),
    createdAt: z.string(),
    engineVersion: z.string().max(50),
    schemaVersion: z.number().int().min(1),
    case: z.object({ id: z.string().regex(/^case_[a-z2-7]{10,40}$/), name: z.string().max(1000) }).strict(),
    includeEvidence: z.boolean(),
    tables: z.array(z.object({ name: z.string().regex(/^[a-z_][a-z0-9_]{0,63}$/), member: z.string(), rows: z.number().int().min(0) }).strict()).max(200),
    evidence: z
      .array(
        z
          .object({
            id: z.string().regex(/^ev_[a-z2-7]{10,40}$/),
            fileName: z.string().max(4096),
            sizeBytes: z.number().int().min(0),
            sha256: sha256Hex,
            /** The member holding the original, or null when the bundle only references it by hash. */
            member: z.string().nullable(),
          })
          .strict(),
      )
      .max(100_000),
    reports: z.array(z.object({ id: z.string().regex(/^rep_[a-z2-7]{10,40}$/), member: z.string(), sha256: sha256Hex }).strict()).max(100_000),
    audit: z
      .object({
        member: z.literal(AUDIT_MEMBER),
        rows: z.number().int().min(0),
        /** Last row of the source database's whole chain when the bundle was made. */
        chainHead: z.object({ seq: z.number().int().min(0), hash: sha256Hex }).strict(),
      })
      .strict(),
    members: z.array(MemberSchema).max(300_000),
  })
  .strict();
export type Manifest = z.infer<typeof ManifestSchema>;

export const tableMember = (table: string) => `tables/${table}.jsonl`;
export const reportMember = (reportId: string) => `reports/${reportId}.pdf`;

/** Evidence member name: content-addressed, keeping a short, safe extension for whoever unzips it. */
export function evidenceMember(sha256: string, fileName: string): string {
  const ext = /\.([A-Za-z0-9]{1,8})$/.exec(fileName)?.[1]?.toLowerCase();
  return `evidence/${sha256}${ext ? `.${ext}` : ''}`;
}

/** The only member names a bundle may contain (anything else, e.g. `../x`, is refused). */
export function isAllowedMemberName(name: string): boolean {
  return (
    name === MANIFEST ||
    name === MANIFEST_DIGEST ||
    name === AUDIT_MEMBER ||
    /^tables\/[a-z_][a-z0-9_]{0,63}\.jsonl$/.test(name) ||
    /^reports\/rep_[a-z2-7]{10,40}\.pdf$/.test(name) ||
    /^evidence\/[0-9a-f]{64}(\.[a-z0-9]{1,8})?$/.test(name)
  );
}

/** Encodes one SQLite cell for JSON. */
export function encodeCell(v: unknown): unknown {
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return { $base64: Buffer.from(v).toString('base64') };
  if (typeof v === 'number' && !Number.isFinite(v)) return { $real: String(v) };
  if (typeof v === 'bigint') return Number(v);
  return v;
}

/** Decodes one cell written by encodeCell; anything else that is not a scalar is refused. */
export function decodeCell(v: unknown, where: string): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === '$base64' && typeof (v as { $base64: unknown }).$base64 === 'string') return Buffer.from((v as { $base64: string }).$base64, 'base64');
    if (keys.length === 1 && keys[0] === '$real' && ['Infinity', '-Infinity', 'NaN'].includes((v as { $real: string }).$real)) return Number((v as { $real: string }).$real);
  }
  throw new VigilError('invalid_input', `The bundle holds a value that is not a database cell in ${where}.`);
}
