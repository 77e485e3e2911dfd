import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { JwtAuthGuard, Public, Scopes, ScopesGuard } from '../auth/index.js';
import { Message, MessagesService } from './messages.service.js';
import { READ_MESSAGES } from './messages.scopes.js';

/** The quickstart's three endpoints: public, any valid token, and a token granting `read:messages`. */
@ApiTags('messages')
@Controller('api')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Get('public')
  @Public()
  @ApiOkResponse({ type: Message })
  public(): Message {
    return this.messages.publicMessage();
  }

  @Get('private')
  @UseGuards(JwtAuthGuard, ScopesGuard)
  @ApiOkResponse({ type: Message })
  private(): Message {
    return this.messages.privateMessage();
  }

  @Get('private-scoped')
  @UseGuards(JwtAuthGuard, ScopesGuard)
  @Scopes(READ_MESSAGES)
  @ApiOkResponse({ type: Message })
  privateScoped(): Message {
    return this.messages.privateScopedMessage();
  }
}
