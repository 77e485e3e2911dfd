import { Injectable, type ExecutionContext } from '@nestjs/common';
import type { Principal } from './core/claims.js';

/**
 * Work a feature does with each caller a token guard admits, after the route's scopes are checked
 * and before the handler runs: `undefined` when it is done at once, or a promise the request waits
 * for. It must not reject: a rejection fails the request as a guard's error would.
 */
export type AdmissionHook = (
  principal: Principal,
  context: ExecutionContext,
) => Promise<unknown> | undefined;

/**
 * The app's {@link AdmissionHook}s, which features add at start-up (`onModuleInit`). They run
 * inside the token check, once per handler call, so that only requests with a verified token pay
 * for them: a global interceptor would put every route, public ones too, through Nest's
 * interceptor pipeline (an rxjs chain per request).
 */
@Injectable()
export class AdmissionHooks {
  private readonly hooks: AdmissionHook[] = [];

  /** Adds `hook`, run for every admitted caller from now on. */
  add(hook: AdmissionHook): void {
    this.hooks.push(hook);
  }

  /** Runs every hook for `principal`: `undefined` when none left work pending. */
  run(principal: Principal, context: ExecutionContext): Promise<unknown> | undefined {
    let pending: Promise<unknown>[] | undefined;
    for (const hook of this.hooks) {
      const work = hook(principal, context);
      if (work !== undefined) (pending ??= []).push(work);
    }
    if (pending === undefined) return undefined;
    return pending.length === 1 ? pending[0] : Promise.all(pending);
  }
}
