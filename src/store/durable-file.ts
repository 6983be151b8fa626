/**
 * Durable file writing for the snapshot and journal: pieces written to a temporary file and
 * fsync'd, then renamed over the target and the directory fsync'd, so a crash leaves either
 * the old file or the new one, never half of one. Knows nothing of what the pieces say
 * (serialize-snapshot.ts makes them).
 */
import { open, rename, unlink, type FileHandle } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { PIECE } from './serialize-snapshot.js'

/**
 * Writes all of `buffer`. A single write may take only part of it (a file-size limit, a
 * nearly full disk): the rest is written in further calls, and a write that makes no
 * progress fails, so nothing is ever taken for written that is not.
 */
export async function writeFully (handle: FileHandle, buffer: Buffer): Promise<void> {
  let offset = 0
  while (offset < buffer.length) {
    const { bytesWritten } = await handle.write(buffer, offset, buffer.length - offset)
    if (bytesWritten <= 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' })
    offset += bytesWritten
  }
}

/** Writes `pieces` to `file` and fsyncs it; returns the bytes written. Removes the file on failure. */
export async function writeDurably (file: string, pieces: AsyncIterable<string | Buffer> | Iterable<string | Buffer>): Promise<number> {
  const handle = await open(file, 'w')
  let bytes = 0
  // Text is encoded into one buffer, reused for every piece (each is written before the next is
  // encoded): a fresh Buffer per piece is fresh memory, and faulting its pages in costs more than the encoding.
  let scratch: Buffer | undefined
  try {
    for await (let piece of pieces) {
      let buffer: Buffer
      if (typeof piece === 'string') {
        // UTF-8 takes at most 3 bytes for each UTF-16 code unit.
        if (scratch === undefined || scratch.length < piece.length * 3) scratch = Buffer.allocUnsafeSlow(Math.max(piece.length * 3, PIECE * 8))
        buffer = scratch.subarray(0, scratch.write(piece, 'utf8'))
        // Encoded: the text need not live while it is written (see serializeDataset).
        piece = ''
      } else {
        buffer = piece
      }
      await writeFully(handle, buffer)
      bytes += buffer.length
    }
    await handle.sync()
  } catch (err) {
    await handle.close().catch(() => undefined)
    await unlink(file).catch(() => undefined)
    throw err
  }
  await handle.close()
  return bytes
}

/** Renames `from` over `to` and fsyncs the directory, so the rename itself survives a crash. */
export async function renameDurably (from: string, to: string): Promise<void> {
  await rename(from, to)
  await syncDirectory(dirname(to))
}

/** fsyncs a directory (a no-op where the platform refuses, as Windows does). */
export async function syncDirectory (dir: string): Promise<void> {
  let handle
  try {
    handle = await open(dir, 'r')
    await handle.sync()
  } catch (err) {
    if (!['EISDIR', 'EPERM', 'EINVAL', 'EBADF'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err
  } finally {
    await handle?.close()
  }
}

/** The temporary file a snapshot is written to before the rename: hidden, beside it. */
export function temporaryFor (file: string, purpose: string): string {
  return join(dirname(file), `.${basename(file)}.${purpose}.tmp`)
}
