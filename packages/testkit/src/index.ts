export { type CliResult, collect, REPO_ROOT, runCli, spawnCli } from './cli';
export { loopStallMeter } from './loopStall';
export { createTestNetwork, killGroup, type NetnsHost, netnsUnavailable, type TestNetwork } from './netns';
export {
  type PostgresActivity,
  postgresActivity,
  postgresUrlFor,
  TEST_POSTGRES_URL,
  terminatePostgresConnections,
  withTempPostgres,
} from './postgres';
export { type OwnPostgres, startPostgresServer } from './postgresServer';
export {
  deletePrefix,
  freePort,
  type OwnRedis,
  type OwnRedisOptions,
  startRedisServer,
  TEST_REDIS_URL,
  uniquePrefix,
  withOwnRedis,
  withRedisPrefix,
} from './redis';
export { type OwnRedisCluster, startRedisCluster } from './redisCluster';
export { withTempDir } from './tempDir';
export { toArray } from './toArray';
export { waitFor } from './waitFor';
