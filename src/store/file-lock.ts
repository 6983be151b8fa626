/**
 * A store owns its file: a second opener, in another process or in this one, is refused with
 * the holder's pid, so two servers never both acknowledge writes that only one keeps. The lock
 * is proper-lockfile's (a `<file>.lock` directory whose time the holder keeps fresh), with the
 * holder's pid written inside it: a holder that died (SIGKILL) is seen to be gone at once and
 * its lock taken over, and one that stopped released it.
 */
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import lockfile from 'proper-lockfile'
import { StoreFileError } from './store.js'

// proper-lockfile removes its locks at exit through signal-exit, which re-raises a signal when
// no one else listens to it. For SIGXFSZ (a file grown past the OS's limit) that would end the
// server, where Node ignores it and the write fails with EFBIG, which the store answers and
// rolls back. A listener of our own keeps Node's way.
let ignoringFileSizeSignal = false
function keepIgnoringFileSizeSignal (): void {
  if (ignoringFileSizeSignal || process.platform === 'win32') return
  ignoringFileSizeSignal = true
  process.on('SIGXFSZ', () => undefined)
}

/** Thrown when another server, in this process or another, holds the store file. */
export class StoreLockedError extends StoreFileError {}

const lockDirOf = (file: string): string => `${file}.lock`

function holderOf (lockDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(lockDir, 'pid'), 'utf8'))
    return Number.isInteger(pid) && pid > 0 ? pid : undefined
  } catch { return undefined }
}

/** True when a lock directory holds no pid a moment after it was made: its holder died between the two, or while letting go. */
function isAbandoned (lockDir: string): boolean {
  try { return Date.now() - statSync(lockDir).mtimeMs > 1_000 } catch { return false }
}

function isAlive (pid: number): boolean {
  try { process.kill(pid, 0); return true } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM' }
}

/** Takes the lock of a store file; resolves to its release. Rejects with {@link StoreLockedError} when it is held. */
export async function lockStoreFile (file: string): Promise<() => Promise<void>> {
  keepIgnoringFileSizeSignal()
  const lockDir = lockDirOf(file)
  const holder = holderOf(lockDir)
  // A holder that is no longer running left its lock behind: take it over now, not once it goes stale.
  if (holder !== undefined ? holder !== process.pid && !isAlive(holder) : isAbandoned(lockDir)) rmSync(lockDir, { recursive: true, force: true })
  const options = { realpath: false, lockfilePath: lockDir }
  try {
    await lockfile.lock(file, {
      ...options,
      stale: 10_000,
      update: 5_000,
      onCompromised: err => { process.emitWarning(`crmcom-mock: the lock of ${file} was lost: ${err.message}`) }
    })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err
    const pid = holderOf(lockDir)
    throw new StoreLockedError(`${file}: in use by another crmcom-mock (pid ${pid ?? 'unknown'}${pid === process.pid ? ', this process' : ''}); stop it, or give this one another store file`)
  }
  const pidFile = join(lockDir, 'pid')
  writeFileSync(pidFile, String(process.pid))
  return async () => {
    // proper-lockfile removes an empty directory only; both go in one step, so an exit right
    // after (a second signal, say) cannot leave a lock without its pid.
    rmSync(pidFile, { force: true })
    try { lockfile.unlockSync(file, options) } catch { /* already released or taken over */ }
  }
}
