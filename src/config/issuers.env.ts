import { SUPPORTED_ALGORITHMS, type IssuerOptions } from '../auth/index.js';
import { checkUrl, list, set, wholeNumber, type Env } from './env-values.js';

/** One trusted issuer from the environment: {@link IssuerOptions} with its audiences listed. */
export interface IssuerEnv extends IssuerOptions {
  audience: string[];
}

/** What one issuer of `AUTH_ISSUERS` may set, after `AUTH_ISSUER_<NAME>_`. */
const SUFFIXES = ['URL', 'AUDIENCE', 'JWKS_URI', 'ALGORITHMS', 'CLOCK_TOLERANCE_SEC'] as const;
/** The single-issuer variables, which `AUTH_ISSUERS` replaces. */
const SINGLE_ISSUER_VARIABLES = [
  'AUTH_ISSUER_URL',
  'AUTH0_DOMAIN',
  'AUTH_AUDIENCE',
  'AUTH0_AUDIENCE',
  'AUTH_JWKS_URI',
];
const NAME = /^[A-Za-z][A-Za-z0-9]{0,31}$/;
const PER_ISSUER = new RegExp(`^AUTH_ISSUER_([A-Z0-9]+)_(${SUFFIXES.join('|')})$`);

/**
 * Several trusted issuers: `AUTH_ISSUERS=auth0,okta` names them, and each one's settings are
 * `AUTH_ISSUER_<NAME>_URL`, `_AUDIENCE`, and optionally `_JWKS_URI`, `_ALGORITHMS`,
 * `_CLOCK_TOLERANCE_SEC` (`AUTH_ALGORITHMS` and `AUTH_CLOCK_TOLERANCE_SEC` are every issuer's
 * default). One plain value per variable, so that two or three issuers stay readable in a `.env`
 * file or a deployment manifest, and each mistake names its variable. `undefined` when
 * `AUTH_ISSUERS` is unset.
 */
export function issuersFrom(problems: string[], env: Env): IssuerEnv[] | undefined {
  const raw = set(env, 'AUTH_ISSUERS');
  if (raw === undefined) return undefined;
  for (const name of SINGLE_ISSUER_VARIABLES) {
    if (set(env, name) !== undefined) {
      problems.push(
        `${name} cannot be combined with AUTH_ISSUERS; set each issuer's AUTH_ISSUER_<NAME>_* instead, or unset AUTH_ISSUERS`,
      );
    }
  }
  const names = list(raw);
  const upper = names.map((name) => name.toUpperCase());
  const bad = names.filter((name, i) => !NAME.test(name) || upper.indexOf(upper[i]!) !== i);
  if (names.length === 0 || bad.length > 0) {
    problems.push(
      'AUTH_ISSUERS must list distinct names of letters and digits; set it like AUTH_ISSUERS=auth0,okta',
    );
    return [];
  }
  for (const name of Object.keys(env).sort()) {
    const match = PER_ISSUER.exec(name);
    if (match !== null && !upper.includes(match[1]!) && set(env, name) !== undefined) {
      problems.push(
        `${name} names an issuer AUTH_ISSUERS does not list; add ${match[1]!.toLowerCase()} to AUTH_ISSUERS or unset ${name}`,
      );
    }
  }
  return upper.map((name) => issuerFrom(problems, env, name));
}

function issuerFrom(problems: string[], env: Env, name: string): IssuerEnv {
  const variable = (suffix: (typeof SUFFIXES)[number]) => `AUTH_ISSUER_${name}_${suffix}`;
  const issuerUrl = set(env, variable('URL'));
  if (issuerUrl === undefined) {
    problems.push(
      `${variable('URL')} is required by AUTH_ISSUERS; set it like ${variable('URL')}=https://YOUR_TENANT.auth0.com/`,
    );
  } else {
    checkUrl(problems, variable('URL'), issuerUrl, 'https://YOUR_TENANT.auth0.com/');
  }
  const audience = list(set(env, variable('AUDIENCE')));
  if (audience.length === 0) {
    problems.push(
      `${variable('AUDIENCE')} is required by AUTH_ISSUERS; set it to the API identifier at that issuer, like ${variable('AUDIENCE')}=https://quickstarts/api`,
    );
  }
  const jwksUri = set(env, variable('JWKS_URI'));
  if (jwksUri !== undefined) {
    checkUrl(
      problems,
      variable('JWKS_URI'),
      jwksUri,
      'https://YOUR_TENANT.auth0.com/.well-known/jwks.json',
    );
  }
  const algorithms = set(env, variable('ALGORITHMS'));
  const algorithmList = list(algorithms);
  if (
    algorithms !== undefined &&
    (algorithmList.length === 0 ||
      !algorithmList.every((a) => (SUPPORTED_ALGORITHMS as readonly string[]).includes(a)))
  ) {
    problems.push(
      `${variable('ALGORITHMS')} may list only ${SUPPORTED_ALGORITHMS.join(', ')} (never none, HS* or Ed448); unset it to use AUTH_ALGORITHMS`,
    );
  }
  const tolerance = set(env, variable('CLOCK_TOLERANCE_SEC'));
  return {
    issuerUrl: issuerUrl ?? '',
    audience,
    ...(jwksUri === undefined ? {} : { jwksUri }),
    ...(algorithms === undefined ? {} : { algorithms: algorithmList }),
    ...(tolerance === undefined
      ? {}
      : {
          clockToleranceSec: wholeNumber(problems, env, variable('CLOCK_TOLERANCE_SEC'), 60, 3600),
        }),
  };
}
