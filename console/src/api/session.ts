/**
 * Where the signed-in key lives: sessionStorage, so it is gone when the tab closes and never shared
 * with another tab or written to disk by the browser's profile.
 */
const KEY = 'fengkong.apiKey';

/** The key of this tab's session, or null. */
export function readKey(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

/** Keeps the key for this tab. */
export function saveKey(key: string): void {
  sessionStorage.setItem(KEY, key);
}

/** Forgets the key (sign out). */
export function clearKey(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // storage unavailable: nothing was kept
  }
}
