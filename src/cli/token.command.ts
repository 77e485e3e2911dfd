import { parseArgs } from 'node:util';
import { parseEnv } from '../config/index.js';

/** Exit codes of `npm run token`, for scripts. */
export const TokenExit = {
  /** The token is on stdout. */
  OK: 0,
  /** Something unexpected: the app answered oddly, or did not answer in time. */
  FAILED: 1,
  /** A bad option, or the development issuer refused the request (scope, audience, expires-in, size). */
  USAGE: 2,
  /** Nothing listens at the app's address: start it first. */
  NOT_RUNNING: 3,
  /** The app runs against a real issuer: the curl to ask it instead is on stderr. */
  REAL_ISSUER: 4,
} as const;

const USAGE = `Usage: npm run -s token -- [--scope "read:messages"] [--audience URL] [--expires-in SECONDS]

Prints an access token from the running app's development issuer on stdout, e.g.
  TOKEN=$(npm run -s token -- --scope "read:messages")
It reaches the app at PORT and HOST, read like the app reads them (environment, then .env).

  --scope       space-separated scopes to grant (default: none)
  --audience    the token's aud (default: the app's first audience)
  --expires-in  lifetime in seconds, 10 to 86400 (default: 86400)

Exit codes: 0 token printed, 1 unexpected failure, 2 bad option or request refused,
3 the app is not running, 4 the app uses a real issuer (the curl to use is printed).`;

/** Where the token command writes. */
export interface Output {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** The URL at which this machine reaches an app listening on `host` (a wildcard address means loopback). */
export function appUrl(host: string, port: number): string {
  if (host === '0.0.0.0' || host === 'localhost') return `http://127.0.0.1:${port}/`;
  if (host === '::') return `http://[::1]:${port}/`;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
}

/** What Auth0 documents for a machine-to-machine token, filled in with what the environment knows. */
function clientCredentialsCurl(issuerUrl: string | undefined, audience: string): string {
  const tokenUrl = new URL('oauth/token', issuerUrl ?? 'https://YOUR_TENANT.auth0.com/').href;
  const body = JSON.stringify({
    client_id: 'YOUR_CLIENT_ID',
    client_secret: 'YOUR_CLIENT_SECRET',
    audience,
    grant_type: 'client_credentials',
  });
  return `curl -s --request POST --url ${tokenUrl} --header 'content-type: application/json' --data '${body}'`;
}

async function fetchJson(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; body: Record<string, unknown> | undefined }> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(5_000) });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
  } catch {
    return { status: response.status, body: undefined };
  }
}

/** `npm run token`: asks the running app's development issuer for a token; returns the exit code. */
export async function tokenCommand(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  out: Output,
): Promise<number> {
  let options: { scope?: string; audience?: string; 'expires-in'?: string; help?: boolean };
  try {
    options = parseArgs({
      args: [...argv],
      options: {
        scope: { type: 'string' },
        audience: { type: 'string' },
        'expires-in': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    out.stderr(`${(error as Error).message}\n\n${USAGE}\n`);
    return TokenExit.USAGE;
  }
  if (options.help) {
    out.stdout(`${USAGE}\n`);
    return TokenExit.OK;
  }
  const expiresIn = options['expires-in'];
  if (expiresIn !== undefined && !/^\d{1,6}$/.test(expiresIn)) {
    out.stderr(`--expires-in must be a whole number of seconds, 10 to 86400\n`);
    return TokenExit.USAGE;
  }

  // Only PORT and HOST matter here: the app itself reports any other configuration mistake.
  const config = parseEnv(env).value;
  const base = appUrl(config.host, config.port);
  let discovery: Awaited<ReturnType<typeof fetchJson>>;
  try {
    discovery = await fetchJson(new URL('.well-known/openid-configuration', base).href);
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    if (cause === 'ECONNREFUSED' || cause === 'EADDRNOTAVAIL') {
      out.stderr(
        `The app is not running at ${base} (PORT=${config.port}, HOST=${config.host}). Start it in another terminal with: npm start\n`,
      );
      return TokenExit.NOT_RUNNING;
    }
    out.stderr(`No answer from ${base}: ${(error as Error).message}\n`);
    return TokenExit.FAILED;
  }
  const tokenEndpoint = discovery.body?.['token_endpoint'];
  if (discovery.status === 404) {
    out.stderr(
      `The app at ${base} uses a real issuer, not its development issuer. Ask your issuer for a token; with Auth0 (client credentials of a machine-to-machine application authorized for the API):\n\n  ${clientCredentialsCurl(config.issuerUrl, options.audience ?? config.audiences[0]!)}\n`,
    );
    return TokenExit.REAL_ISSUER;
  }
  if (discovery.status !== 200 || typeof tokenEndpoint !== 'string') {
    out.stderr(
      `${base} answered ${discovery.status} for its discovery document; is it this app?\n`,
    );
    return TokenExit.FAILED;
  }

  const request = JSON.stringify({
    grant_type: 'client_credentials',
    scope: options.scope ?? '',
    ...(options.audience === undefined ? {} : { audience: options.audience }),
    ...(expiresIn === undefined ? {} : { expires_in: Number(expiresIn) }),
  });
  // The endpoint named by discovery, reached at the address this command used (the two differ for HOST=0.0.0.0).
  const reply = await fetchJson(new URL(new URL(tokenEndpoint).pathname, base).href, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: request,
  }).catch((error: unknown) => error as Error);
  if (reply instanceof Error) {
    out.stderr(`The token request failed: ${reply.message}\n`);
    return TokenExit.FAILED;
  }
  const accessToken = reply.body?.['access_token'];
  if (reply.status === 200 && typeof accessToken === 'string') {
    out.stdout(`${accessToken}\n`);
    return TokenExit.OK;
  }
  const description = reply.body?.['error_description'];
  if (reply.status === 413) {
    out.stderr(
      `The development issuer refused: the request (${Buffer.byteLength(request)} bytes) is larger than the app accepts (HTTP_BODY_LIMIT_BYTES); ask for fewer or shorter scopes\n`,
    );
    return TokenExit.USAGE;
  }
  if (reply.status === 400 || reply.status === 403) {
    out.stderr(`The development issuer refused: ${String(description ?? reply.status)}\n`);
    return TokenExit.USAGE;
  }
  out.stderr(`The token request answered ${reply.status}\n`);
  return TokenExit.FAILED;
}
