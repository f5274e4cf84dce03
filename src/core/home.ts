// Where a laptop's registry lives: --home, else SLIPWAY_HOME, else the per-user app-data folder
// that Electron's app.getPath('userData') also resolves to, so every face shares one registry.
import os from 'node:os'
import path from 'node:path'

export const APP_NAME = 'Slipway'

export function defaultAppDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  homedir: string = os.homedir(),
): string {
  if (platform === 'win32')
    return path.join(env.APPDATA ?? path.join(homedir, 'AppData', 'Roaming'), APP_NAME)
  if (platform === 'darwin') return path.join(homedir, 'Library', 'Application Support', APP_NAME)
  return path.join(env.XDG_CONFIG_HOME || path.join(homedir, '.config'), APP_NAME)
}

export function resolveHome(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit && explicit.trim()) return path.resolve(explicit)
  if (env.SLIPWAY_HOME && env.SLIPWAY_HOME.trim()) return path.resolve(env.SLIPWAY_HOME)
  return defaultAppDataDir()
}

/** Who is acting: SLIPWAY_USER, else the OS account name. */
export function currentActor(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SLIPWAY_USER && env.SLIPWAY_USER.trim()) return env.SLIPWAY_USER.trim().slice(0, 128)
  try {
    return os.userInfo().username || 'unknown'
  } catch {
    return 'unknown'
  }
}
