// The bench's baseline: a bare Nest + Fastify app with the real app's three message routes and
// nothing else (no guard, no interceptor, no filter, no hooks, no logs). `npm run bench` measures
// every scenario as a multiple of this app's public route, in the same run and on the same core.
//
//   PORT=3001 HOST=127.0.0.1 node bench/bare-app.mjs   (PORT=0: any free port)
//
// It prints one line "Listening on http://HOST:PORT" once it listens, and closes on SIGTERM/SIGINT.
// Plain JavaScript, run as is: Nest's decorators are called as the functions they are.
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';

/** The bodies of src/messages/messages.service.ts (test/bench-bare-app.e2e-spec.ts checks them). */
export const MESSAGES = {
  public: "Hello from a public endpoint! You don't need to be authenticated to see this.",
  private: 'Hello from a private endpoint! You need to be authenticated to see this.',
  'private-scoped':
    'Hello from a private endpoint! You need to be authenticated and have a scope of read:messages to see this.',
};

class BareMessagesController {
  public() {
    return { message: MESSAGES.public };
  }

  private() {
    return { message: MESSAGES.private };
  }

  privateScoped() {
    return { message: MESSAGES['private-scoped'] };
  }
}
for (const [method, path] of [
  ['public', 'public'],
  ['private', 'private'],
  ['privateScoped', 'private-scoped'],
]) {
  const proto = BareMessagesController.prototype;
  Get(path)(proto, method, Object.getOwnPropertyDescriptor(proto, method));
}
Controller('api')(BareMessagesController);

class BareModule {}
Module({ controllers: [BareMessagesController] })(BareModule);

const app = await NestFactory.create(BareModule, new FastifyAdapter(), { logger: false });
await app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1');
const { address, port } = app.getHttpServer().address();
process.stdout.write(`Listening on http://${address}:${port}\n`);

let closing = false;
const close = () => {
  if (closing) process.exit(1);
  closing = true;
  void app.close().then(() => process.exit(0));
};
process.on('SIGTERM', close);
process.on('SIGINT', close);
