import { Controller, Get, UseGuards } from '@nestjs/common';
import { CurrentUser, JwtAuthGuard, type Principal } from '../auth/index.js';
import { UsersService } from './users.service.js';

/** `GET /api/me`: the caller's stored user and the scopes its token grants. */
export interface MeResponse {
  id: string;
  issuer: string;
  subject: string;
  createdAt: Date;
  lastSeenAt: Date;
  scopes: string[];
}

/** The caller's own record; any valid token. */
@Controller('api')
export class MeController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  @UseGuards(JwtAuthGuard)
  async me(@CurrentUser() principal: Principal): Promise<MeResponse> {
    const { id, issuer, subject, createdAt, lastSeenAt } =
      await this.users.storedUserFor(principal);
    return { id, issuer, subject, createdAt, lastSeenAt, scopes: principal.scopes };
  }
}
