import { createHash, randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { DocRef } from '../../../domain/src';

/** sha256 (hex) of a text's UTF-8 bytes: the digest a workflow history records for it. */
export const digestOf = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** The reference a workflow carries for a text (length in UTF-16 units, like every other limit of the domain). */
export const docRefOf = (text: string): DocRef => ({ digest: digestOf(text), chars: text.length });

export interface DocumentIntegrity {
  digest: string;
  /** `missing`: no document under the digest; `altered`: its text no longer hashes to it. */
  problem: 'missing' | 'altered';
}

/** What one request stored: the texts it inserted itself, under its claim. */
export interface DocumentClaim {
  claim: string;
  inserted: string[];
}

/** Texts, content-addressed: stored once, before the decision that refers to them is sent. */
export interface DocumentRepository {
  /** Stores the texts under `claim` (every request its own); returns their references and the digests inserted now. */
  put(texts: string[], claim?: string): Promise<{ refs: DocRef[]; inserted: string[] }>;
  /**
   * Removes what a refused request stored: the texts it inserted, unless another request stored the same text
   * since (its claim replaced this one).
   */
  release(claim: DocumentClaim): Promise<number>;
  texts(digests: string[]): Promise<Map<string, string>>;
  /** Digests among these whose document is missing or no longer matches. */
  integrity(digests: string[]): Promise<DocumentIntegrity[]>;
}

export class PgDocumentRepository implements DocumentRepository {
  constructor(private readonly dataSource: DataSource | EntityManager) {}

  async put(texts: string[], claim: string = randomUUID()): Promise<{ refs: DocRef[]; inserted: string[] }> {
    const refs = texts.map(docRefOf);
    const unique = new Map<string, { text: string; ref: DocRef }>();
    texts.forEach((text, i) => unique.set(refs[i].digest, { text, ref: refs[i] }));
    const rows = [...unique.values()];
    const inserted: string[] = [];
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500);
      // A text stored moments ago by another request is claimed again, so that the other request's refusal does
      // not remove it from under this one (a text older than any decision still in flight is left alone).
      // xmax = 0 marks the rows this statement inserted.
      const result: Array<{ digest: string; inserted: boolean }> = await this.dataSource.query(
        `INSERT INTO documents AS d (digest, body, chars, bytes, claim)
         SELECT t.digest, t.body, t.chars, t.bytes, $5::uuid FROM unnest($1::text[], $2::text[], $3::int[], $4::int[]) AS t(digest, body, chars, bytes)
         ON CONFLICT (digest) DO UPDATE SET claim = EXCLUDED.claim WHERE d.created_at > now() - interval '10 minutes'
         RETURNING d.digest, (xmax = 0) AS inserted`,
        [
          chunk.map((r) => r.ref.digest),
          chunk.map((r) => r.text),
          chunk.map((r) => r.ref.chars),
          chunk.map((r) => Buffer.byteLength(r.text, 'utf8')),
          claim,
        ],
      );
      for (const r of result) if (r.inserted) inserted.push(r.digest);
    }
    return { refs, inserted };
  }

  async release(c: DocumentClaim): Promise<number> {
    if (!c.inserted.length) return 0;
    const [, affected] = await this.dataSource.query('DELETE FROM documents WHERE digest = ANY($1::text[]) AND claim = $2::uuid', [
      c.inserted,
      c.claim,
    ]);
    return affected ?? 0;
  }

  async texts(digests: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const wanted = [...new Set(digests)];
    for (let i = 0; i < wanted.length; i += 1000) {
      const rows: Array<{ digest: string; body: string }> = await this.dataSource.query(
        'SELECT digest, body FROM documents WHERE digest = ANY($1::text[])',
        [wanted.slice(i, i + 1000)],
      );
      for (const r of rows) out.set(r.digest, r.body);
    }
    return out;
  }

  async integrity(digests: string[]): Promise<DocumentIntegrity[]> {
    const out: DocumentIntegrity[] = [];
    const wanted = [...new Set(digests)];
    for (let i = 0; i < wanted.length; i += 1000) {
      const chunk = wanted.slice(i, i + 1000);
      const rows: Array<{ digest: string; intact: boolean | null }> = await this.dataSource.query(
        `SELECT w.digest, encode(sha256(convert_to(d.body, 'UTF8')), 'hex') = w.digest AS intact
           FROM unnest($1::text[]) AS w(digest) LEFT JOIN documents d ON d.digest = w.digest`,
        [chunk],
      );
      for (const r of rows) if (r.intact !== true) out.push({ digest: r.digest, problem: r.intact === null ? 'missing' : 'altered' });
    }
    return out;
  }
}
