import { Injectable } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';

/** A message the API answers with. */
export class Message {
  @ApiProperty({ example: 'Hello from a public endpoint!' })
  message!: string;
}

/** The messages of the three example endpoints, as in Auth0's API quickstarts. */
@Injectable()
export class MessagesService {
  publicMessage(): Message {
    return {
      message: "Hello from a public endpoint! You don't need to be authenticated to see this.",
    };
  }

  privateMessage(): Message {
    return {
      message: 'Hello from a private endpoint! You need to be authenticated to see this.',
    };
  }

  privateScopedMessage(): Message {
    return {
      message:
        'Hello from a private endpoint! You need to be authenticated and have a scope of read:messages to see this.',
    };
  }
}
