/**
 * The package's own folder, where `schemas/`, `fixtures/` and `package.json` live. Found by
 * walking up from this module to the first folder holding a package.json, so the same code
 * works from `dist/` (the build, the installed package) and from `.build/src/` (the tests).
 */
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

function findPackageRoot (from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`)
  }
}

/** The package's folder, with no trailing separator. */
export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)))

/** A path inside the package's folder. */
export const packagePath = (...parts: string[]): string => join(PACKAGE_ROOT, ...parts)
