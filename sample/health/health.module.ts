import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ComplyCubeHealthIndicator } from 'nestjs-complycube-webhooks/terminus';
import { HealthController } from './health.controller';

@Module({
  imports: [TerminusModule],
  controllers: [HealthController],
  providers: [ComplyCubeHealthIndicator],
})
export class HealthModule {}
