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
}

/** No guard, no decorator: `protectAllRoutes` still asks for a valid token. */
@Controller('invoices')
export class InvoicesController {
  @Get()
  list() {
    return { invoices: [] };
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
