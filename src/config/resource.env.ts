import { resourceIdentifierProblem } from '../auth/index.js';
import { set, type Env } from './env-values.js';

const RESOURCE_EXAMPLE = 'https://api.example.com/v1';

/**
 * `AUTH_RESOURCE_URL`: the API's resource identifier (RFC 8707, RFC 9728), or `undefined` when
 * unset; a mistake adds one line naming the variable and the fix.
 */
export function resourceUrlFrom(problems: string[], env: Env): string | undefined {
  const value = set(env, 'AUTH_RESOURCE_URL');
  if (value === undefined) return undefined;
  const problem = resourceIdentifierProblem(value);
  if (problem === undefined) return value;
  const canonical = URL.canParse(value) ? new URL(value).href : undefined;
  if (problem.startsWith('must be written as URL parsers write it')) {
    problems.push(
      `AUTH_RESOURCE_URL must be written as URL parsers write it, since clients send it back byte for byte; set it to AUTH_RESOURCE_URL=${canonical}`,
    );
  } else {
    problems.push(
      `AUTH_RESOURCE_URL ${problem === 'is not a valid URL' ? 'is not a URL' : problem}; set it like AUTH_RESOURCE_URL=${RESOURCE_EXAMPLE}`,
    );
  }
  return undefined;
}

/** The development issuer's API: its routes under `/api` of the issuer's own origin. */
export function devResourceUrl(issuerUrl: string): string {
  return new URL('api', issuerUrl).href;
}
