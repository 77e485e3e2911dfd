import {
  createPrivateKey,
  generateKeyPairSync,
  randomUUID,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LoggerService } from '@nestjs/common';

/** The development issuer's signing key and its key id. */
export interface DevSigningKey {
  kid: string;
  privateKey: KeyObject;
}

/** The file's shape: the private key as a JWK, with its kid. */
interface KeyFile {
  kid: string;
  privateJwk: Record<string, unknown>;
}

function parseKeyFile(text: string): DevSigningKey {
  const parsed = JSON.parse(text) as Partial<KeyFile>;
  if (typeof parsed.kid !== 'string' || parsed.privateJwk?.['kty'] !== 'RSA') {
    throw new Error('not a development issuer key file');
  }
  const privateKey = createPrivateKey({ key: parsed.privateJwk as JsonWebKey, format: 'jwk' });
  return { kid: parsed.kid, privateKey };
}

/** Writes the key readable by its owner only (0600), in a directory only its owner may enter (0700), atomically. */
function writeKeyFile(file: string, key: DevSigningKey): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const content: KeyFile = { kid: key.kid, privateJwk: key.privateKey.export({ format: 'jwk' }) };
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(content)}\n`, { mode: 0o600, flag: 'w' });
  renameSync(temporary, file);
}

/**
 * The development issuer's key, kept in `file` so that its tokens stay valid across restarts:
 * read when the file holds one, else made and written (0600). When the file cannot be written the
 * key lives in memory for this run, with a warning. Never call it in production: the key is for
 * development tokens only.
 */
export function loadOrCreateDevSigningKey(file: string, logger: LoggerService): DevSigningKey {
  try {
    const key = parseKeyFile(readFileSync(file, 'utf8'));
    // A copy or an editor may have widened the mode; a signing key stays private to its owner.
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    logger.log(`Signing key loaded from ${file}: tokens from earlier runs stay valid`);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      logger.warn(
        `${file} could not be read as a signing key (${(error as Error).message}); making a new one`,
      );
    }
  }
  const key: DevSigningKey = {
    kid: randomUUID(),
    privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
  };
  try {
    writeKeyFile(file, key);
    logger.log(`New signing key kept in ${file} (delete it to make a new one)`);
  } catch (error) {
    logger.warn(
      `The signing key could not be kept in ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}), so tokens will not survive a restart; set DATA_DIR to a writable directory`,
    );
  }
  return key;
}
