import { parseSecureUrl } from '../auth/index.js';

/** The environment as the parsers read it. */
export type Env = Readonly<Record<string, string | undefined>>;

/** The variable's value, trimmed; `undefined` when unset or blank. */
export function set(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** A comma-separated list, items trimmed, empty items dropped. */
export function list(value: string | undefined): string[] {
  return value === undefined
    ? []
    : value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
}

/** A whole number from `min` to `max`, or `fallback` when unset; a mistake adds one line naming the variable. */
export function wholeNumber(
  problems: string[],
  env: Env,
  name: string,
  fallback: number,
  max: number,
  min = 0,
): number {
  const raw = set(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    problems.push(
      `${name} must be a whole number from ${min} to ${max}; unset it to use ${fallback}`,
    );
    return fallback;
  }
  return value;
}

/**
 * `true` or `false`, or `fallback` when unset; a mistake adds one line naming the variable and
 * what unsetting it does (`unsetHint`, by default "use <fallback>").
 */
export function flag(
  problems: string[],
  env: Env,
  name: string,
  fallback: boolean,
  unsetHint = `use ${fallback}`,
): boolean {
  const raw = set(env, name);
  if (raw === undefined) return fallback;
  if (raw !== 'true' && raw !== 'false') {
    problems.push(`${name} must be true or false; unset it to ${unsetHint}`);
    return fallback;
  }
  return raw === 'true';
}

/** Adds one line naming the variable when `value` is not an https URL (http only for localhost). */
export function checkUrl(problems: string[], name: string, value: string, example: string): void {
  const parsed = parseSecureUrl(value);
  if (parsed === 'is not a valid URL') {
    problems.push(`${name} is not a URL; set it like ${name}=${example}`);
  } else if (typeof parsed === 'string') {
    problems.push(
      `${name} must use https (http only for localhost); set it like ${name}=${example}`,
    );
  }
}
