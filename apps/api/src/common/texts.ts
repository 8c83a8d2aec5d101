// Texts go to PostgreSQL before the decision that refers to them is sent: the workflow receives the reference
// (sha256 digest and length) and its history proves what was decided on. Reading, the API puts the texts back.
import { randomUUID } from 'node:crypto';
import { docRefsIn, INLINE_TEXT_MAX, withTexts, type Comment, type DocRef } from '../../../../libs/domain/src';
import type { DocumentRepository } from '../../../../libs/persistence/src';

/** The texts one request stores. If its decision is refused, `abandon()` removes what it alone stored. */
export class TextSession {
  private readonly claim = randomUUID();
  private readonly inserted: string[] = [];

  constructor(private readonly documents: DocumentRepository) {}

  async doc(text: string): Promise<DocRef> {
    const { refs, inserted } = await this.documents.put([text], this.claim);
    this.inserted.push(...inserted);
    return refs[0];
  }

  /** Several texts in one statement (a task book's measures). */
  async docs(texts: string[]): Promise<DocRef[]> {
    const { refs, inserted } = await this.documents.put(texts, this.claim);
    this.inserted.push(...inserted);
    return refs;
  }

  /** A one-line comment stays inline; anything longer (or with a line break) becomes a stored text. */
  async comment(text: string | null | undefined): Promise<Comment | undefined> {
    if (text === undefined || text === null || text === '') return undefined;
    if (text.length <= INLINE_TEXT_MAX && !/[\r\n]/.test(text)) return text;
    return this.doc(text);
  }

  async abandon(): Promise<void> {
    await this.documents.release({ claim: this.claim, inserted: this.inserted.splice(0) });
  }
}

export class TextStore {
  constructor(private readonly documents: DocumentRepository) {}

  session(): TextSession {
    return new TextSession(this.documents);
  }

  /** The value with every stored-text reference replaced by its text (null if the document is missing). */
  async hydrate<T>(value: T): Promise<T> {
    const refs = docRefsIn(value);
    if (!refs.length) return value;
    const texts = await this.documents.texts(refs.map((r) => r.digest));
    return withTexts(value, (digest) => texts.get(digest)) as T;
  }
}
