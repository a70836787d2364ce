export * from './health-contributor';
export * from './health.module';
