import { Controller, Get, UseGuards } from '@nestjs/common';
import {
  CurrentUser,
  JwtAuthGuard,
  Public,
  Scopes,
  ScopesGuard,
  type Principal,
} from '@nest-oauth2-resource-server/auth';

/** A route that needs a valid token granting `orders:read`. */
@Controller('orders')
@UseGuards(JwtAuthGuard, ScopesGuard)
export class OrdersController {
  @Get()
  @Scopes('orders:read')
  list(@CurrentUser() user: Principal) {
    return { orders: [], for: user.sub };
  }

  /** No decorator at all: `protectAllRoutes` still asks for a valid token. */
  @Get('count')
  count() {
    return { count: 0 };
  }
}

/** Open to anyone: `@Public()`. */
@Controller('status')
@Public()
export class StatusController {
  @Get()
  status() {
    return { status: 'ok' };
  }
}
