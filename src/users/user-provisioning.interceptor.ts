import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { from, switchMap, type Observable } from 'rxjs';
import type { Principal } from '../auth/index.js';
import { UsersService } from './users.service.js';

/**
 * Provisioning in one place, as Django's `RemoteUserMiddleware` does: after the guards, every
 * request that carries a verified principal has its user created on first sight. A known user
 * passes synchronously; an unreachable database never fails the request (the route answers from
 * the token, and `/api/me` answers 503 itself).
 */
@Injectable()
export class UserProvisioningInterceptor implements NestInterceptor {
  constructor(private readonly users: UsersService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const principal = context.switchToHttp().getRequest<{ user?: Principal }>().user;
    if (principal === undefined || typeof principal.sub !== 'string' || this.users.see(principal)) {
      return next.handle();
    }
    return from(this.users.provisionQuietly(principal)).pipe(switchMap(() => next.handle()));
  }
}
