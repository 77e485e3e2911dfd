import { Controller, Get, UseGuards } from '@nestjs/common';
import {
  CurrentUser,
  JwtAuthGuard,
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
}

/** A route without guards. */
@Controller('status')
export class StatusController {
  @Get()
  status() {
    return { status: 'ok' };
  }
}
