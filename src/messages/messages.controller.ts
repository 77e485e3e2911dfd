import { Controller, Get, UseGuards } from '@nestjs/common';
import { JwtAuthGuard, Scopes, ScopesGuard } from '../auth/index.js';
import { MessagesService, type Message } from './messages.service.js';
import { READ_MESSAGES } from './messages.scopes.js';

/** The quickstart's three endpoints: public, any valid token, and a token granting `read:messages`. */
@Controller('api')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Get('public')
  public(): Message {
    return this.messages.publicMessage();
  }

  @Get('private')
  @UseGuards(JwtAuthGuard, ScopesGuard)
  private(): Message {
    return this.messages.privateMessage();
  }

  @Get('private-scoped')
  @UseGuards(JwtAuthGuard, ScopesGuard)
  @Scopes(READ_MESSAGES)
  privateScoped(): Message {
    return this.messages.privateScopedMessage();
  }
}
