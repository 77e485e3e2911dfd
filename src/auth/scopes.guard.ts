import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { JwtAuthGuard } from './jwt-auth.guard.js';

/**
 * Enforces `@Scopes()`. It runs the whole token check itself (through {@link JwtAuthGuard}), so it
 * never depends on a guard before it: `@UseGuards(ScopesGuard, JwtAuthGuard)` works like
 * `@UseGuards(JwtAuthGuard, ScopesGuard)`, and `ScopesGuard` alone still requires a valid token.
 * After a token guard of the same call admitted the caller, it costs one comparison.
 */
@Injectable()
export class ScopesGuard implements CanActivate {
  constructor(private readonly tokenGuard: JwtAuthGuard) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    return this.tokenGuard.canActivate(context);
  }
}
