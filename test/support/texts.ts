// Stored-text references for tests that drive workflows or rules directly (the API stores the texts first).
import { docRefOf } from '../../libs/persistence/src/repositories/document.repository';
import type { DocRef } from '../../libs/domain/src';

/** The reference a workflow receives for `text` (its sha256 and length). */
export const doc = (text: string): DocRef => docRefOf(text);
