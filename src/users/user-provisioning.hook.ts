import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AdmissionHooks, type Principal } from '../auth/index.js';
import { UsersService } from './users.service.js';

/**
 * Provisioning in one place, as Django's `RemoteUserMiddleware` does: every HTTP request whose token
 * a guard admitted has its user created on first sight, before the handler runs. A known user
 * passes synchronously; an unreachable database never fails the request (the route answers from
 * the token, and `/api/me` answers 503 itself). An {@link AdmissionHooks} hook rather than a global
 * interceptor: routes without a token pay nothing, and guarded ones no interceptor pipeline.
 */
@Injectable()
export class UserProvisioningHook implements OnModuleInit {
  constructor(
    private readonly users: UsersService,
    private readonly admissions: AdmissionHooks,
  ) {}

  onModuleInit(): void {
    this.admissions.add((principal, context) =>
      context.getType() !== 'http' ? undefined : this.provision(principal),
    );
  }

  private provision(principal: Principal): Promise<void> | undefined {
    if (typeof principal.sub !== 'string' || this.users.see(principal)) return undefined;
    return this.users.provisionQuietly(principal);
  }
}
