import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

/** The `error_description` the auth layer gives a token whose `kid` is not in the issuer's key set. */
const UNKNOWN_KID = 'unknown key id (kid)';
/** At most one hint per this many milliseconds: a hint, not a log flood. */
const HINT_INTERVAL_MS = 60_000;

/**
 * In development, a token refused for an unknown `kid` was almost always signed by an earlier key
 * of this development issuer (its key file was deleted, or DATA_DIR changed): say so in the log.
 */
@Injectable()
export class DevIssuerHints implements OnModuleInit {
  private readonly logger = new Logger('DevIssuer');
  private lastHintAt = -Infinity;

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (adapter?.getType() !== 'fastify') return;
    const fastify = adapter.getInstance<{
      addHook(
        name: 'onResponse',
        hook: (
          request: unknown,
          reply: { statusCode: number; getHeader(name: string): unknown },
        ) => Promise<void>,
      ): void;
    }>();
    fastify.addHook('onResponse', async (_request, reply) => {
      if (reply.statusCode !== 401) return;
      const challenge = reply.getHeader('www-authenticate');
      if (typeof challenge === 'string' && challenge.includes(UNKNOWN_KID)) this.hint();
    });
  }

  private hint(): void {
    const now = Date.now();
    if (now - this.lastHintAt < HINT_INTERVAL_MS) return;
    this.lastHintAt = now;
    this.logger.warn(
      "A token was refused for an unknown kid: the development issuer's keys are new since it was issued (its key file under DATA_DIR was deleted or DATA_DIR changed). Get a new token: npm run token",
    );
  }
}
