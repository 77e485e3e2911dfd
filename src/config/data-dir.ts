import { resolve } from 'node:path';

/** `DATA_DIR`: where the app keeps files of its own (the development issuer's key), as an absolute path. */
export function dataDirFrom(env: Readonly<Record<string, string | undefined>>): string {
  const value = env['DATA_DIR']?.trim();
  return resolve(value === undefined || value === '' ? 'data' : value);
}
