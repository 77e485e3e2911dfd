// Turns per-request features of the built app off where it has no setting for them, so that the
// bench can measure what each one costs (`npm run bench -- --features`). Loaded before the app:
//
//   BENCH_FEATURE_OFF=user-provisioning,global-guard node --import ./bench/feature-off/preload.mjs dist/main.js
//
// Bench-only: it swaps two modules of dist/ for the stubs beside it and edits the providers of
// two modules before Nest reads them; src/ is untouched. Each trick names the setting it stands
// in for, which the app does not have yet (docs/PERFORMANCE.md, "Per-feature costs").
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { register } from 'node:module';

/** Each feature this preload can turn off, and what doing so means. */
export const FEATURES_OFF = {
  'security-headers': 'setupHttpSecurity adds no onRequest hook (no helmet headers, no CORS)',
  'server-limits': 'a plain FastifyAdapter instead of LimitedFastifyAdapter (no hooks, defaults)',
  'user-provisioning':
    "UsersModule's UserProvisioningHook (an AdmissionHooks hook) is not registered",
  'exception-filters': 'the APP_FILTERs of AuthModule and UsersModule are not registered',
  'global-guard': 'AuthModule.forRootAsync({ protectAllRoutes: false }): routes keep @UseGuards',
};

const off = (process.env.BENCH_FEATURE_OFF ?? '').split(',').filter(Boolean);
const unknown = off.filter((id) => !(id in FEATURES_OFF));
if (unknown.length > 0) {
  throw new TypeError(
    `BENCH_FEATURE_OFF: unknown ${unknown.join(', ')}; known: ${Object.keys(FEATURES_OFF).join(', ')}`,
  );
}
const dist = new URL('../../dist/', import.meta.url);
const here = (file) => new URL(file, import.meta.url).href;

const swaps = {};
if (off.includes('security-headers')) {
  swaps[new URL('http-security/http-security.setup.js', dist).href] = here('http-security.mjs');
}
if (off.includes('server-limits')) {
  swaps[new URL('server/limited-fastify.adapter.js', dist).href] = here('fastify-adapter.mjs');
}
// A stub whose original moved would leave the feature on without a word: fail instead.
for (const original of Object.keys(swaps)) {
  if (!existsSync(new URL(original)))
    throw new Error(`${original} is gone: update ${import.meta.url}`);
}
if (Object.keys(swaps).length > 0) register('./hooks.mjs', import.meta.url, { data: swaps });

const { APP_FILTER } = await import('@nestjs/core');
const { AuthModule } = await import(new URL('auth/index.js', dist).href);
const { UsersModule } = await import(new URL('users/index.js', dist).href);
const { UserProvisioningHook } = await import(
  new URL('users/user-provisioning.hook.js', dist).href
);
// Providers by their token: a class, or the `provide` of a provider object.
const dropped = new Set([
  ...(off.includes('user-provisioning') ? [UserProvisioningHook] : []),
  ...(off.includes('exception-filters') ? [APP_FILTER] : []),
]);
if (dropped.size > 0) {
  let droppedCount = 0;
  for (const module of [AuthModule, UsersModule]) {
    // Nest reads a module's @Module() metadata when it scans the app, after this has run.
    const providers = Reflect.getOwnMetadata('providers', module);
    if (!Array.isArray(providers)) throw new Error(`no @Module() providers on ${module.name}`);
    const kept = providers.filter((provider) => !dropped.has(provider?.provide ?? provider));
    Reflect.defineMetadata('providers', kept, module);
    droppedCount += providers.length - kept.length;
  }
  // Today: AuthModule's filter, and UsersModule's filter and provisioning hook.
  const expected =
    (off.includes('user-provisioning') ? 1 : 0) + (off.includes('exception-filters') ? 2 : 0);
  if (droppedCount !== expected) {
    throw new Error(
      `dropped ${droppedCount} providers, expected ${expected}: update ${import.meta.url}`,
    );
  }
}
if (off.includes('global-guard')) {
  const forRootAsync = AuthModule.forRootAsync;
  if (typeof forRootAsync !== 'function') throw new Error('AuthModule.forRootAsync is gone');
  AuthModule.forRootAsync = function (options) {
    return forRootAsync.call(this, { ...options, protectAllRoutes: false });
  };
}
