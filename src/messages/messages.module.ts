import { Module } from '@nestjs/common';
import { MessagesController } from './messages.controller.js';
import { MessagesService } from './messages.service.js';

/** The example feature: three endpoints under `/api`. Needs `AuthModule` imported globally. */
@Module({
  controllers: [MessagesController],
  providers: [MessagesService],
})
export class MessagesModule {}
