import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { ComplyCubeHealthIndicator } from 'nestjs-complycube-webhooks/terminus';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly complyCube: ComplyCubeHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.complyCube.isHealthy('complycube', { maxWaitingJobs: 1000 })]);
  }
}
