import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '../auth/index.js';
import { MetricsService } from './metrics.service.js';

/** `GET /metrics` in the Prometheus text format. */
// Scraped by Prometheus without a token; keep /metrics off the public network (see README).
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
