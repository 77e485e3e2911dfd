// Stands in for dist/server/limited-fastify.adapter.js with BENCH_FEATURE_OFF=server-limits:
// Nest's FastifyAdapter with Fastify's defaults, and the drain() that shutdown calls.
import { FastifyAdapter } from '@nestjs/platform-fastify';

export class LimitedFastifyAdapter extends FastifyAdapter {
  constructor(limits) {
    super();
    this.limits = limits;
  }

  /** Stops listening and closes every connection at once; resolves with 0 (none cut). */
  async drain() {
    const server = this.getHttpServer();
    await new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return 0;
  }
}
