/**
 * The journal beside a snapshot (`db.json.journal`): one JSON change a line, appended after
 * the snapshot was written. Owns what every party to it shares: where it lives, how it reads
 * back (complete lines only, a torn last line reported rather than replayed, a damaged line
 * refused), and what an adapter that keeps one offers the Store. Kept apart from the
 * adapter that writes it (write-ahead-log.ts), so the Store depends only on this contract.
 */
import { readFile } from 'node:fs/promises'
import type { Adapter } from 'lowdb'
import { isChange, type Change } from './changes.js'

/** What compaction needs from the store that drives it. */
export interface CompactionControl {
  /** True once something happened that the snapshot being written must not outlive (a rolled-back batch). */
  aborted: () => boolean
  /** Runs `fn` while no batch is being appended. */
  exclusive: <T>(fn: () => Promise<T>) => Promise<T>
}

/** A line of the journal that is complete but not a change: the file was edited or damaged. */
export class JournalCorruptError extends Error { override name = 'JournalCorruptError' }

/** The journal of a snapshot file. */
export const journalOf = (file: string): string => `${file}.journal`

/** An adapter whose writes are journal appends (what {@link Store} looks for). */
export interface JournalAdapter<T> extends Adapter<T> {
  append: (changes: readonly Change[]) => Promise<void>
  /** Bytes in the journal, not yet folded into the snapshot. */
  readonly journalBytes: number
  readonly wantsCompaction: boolean
  compact: (dataset: T, control: CompactionControl) => Promise<boolean>
  close: () => Promise<void>
}

/** The complete lines of a journal as changes; `torn` when bytes follow the last newline. */
export async function readWriteAheadLog (file: string): Promise<{ changes: Change[], bytes: number, torn: boolean }> {
  let buffer: Buffer
  try {
    buffer = await readFile(file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { changes: [], bytes: 0, torn: false }
    throw err
  }
  const bytes = buffer.lastIndexOf(0x0a) + 1
  const changes: Change[] = []
  const lines = buffer.toString('utf8', 0, bytes).split('\n')
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue
    let change: unknown
    try { change = JSON.parse(line) } catch { change = undefined }
    if (!isChange(change)) throw new JournalCorruptError(`${file}: line ${i + 1} is not a change; fix or remove the line (the snapshot beside it is untouched)`)
    changes.push(change)
  }
  return { changes, bytes, torn: bytes < buffer.length }
}
