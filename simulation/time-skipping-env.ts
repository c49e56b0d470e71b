/**
 * The time-skipping test server with a client connection that pings rarely.
 *
 * The SDK's test connection sends keepalive pings every 30 s; the Java test server answers too
 * many pings with GOAWAY, after which a long call in flight (a time-skipping sleep, an update,
 * a result) can hang for good. `TestWorkflowEnvironment.createTimeSkipping` takes no connection
 * options, so this calls the SDK's own `create` with them (pinned SDK 1.24.0; re-check on upgrade).
 */
import type { ConnectionOptions } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalBinaries } from '../server/temporal-binaries';

const RARE_PINGS: ConnectionOptions['channelArgs'] = {
  'grpc.keepalive_time_ms': 10 * 60_000,
  'grpc.keepalive_permit_without_calls': 0,
};

type CreateOptions = {
  server: { type: 'time-skipping'; executable: { type: 'existing-path'; path: string } };
  supportsTimeSkipping: true;
  connectionOptions: { channelArgs: ConnectionOptions['channelArgs'] };
};

export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const create = (TestWorkflowEnvironment as unknown as { create(o: CreateOptions): Promise<TestWorkflowEnvironment> })
    .create;
  return create.call(TestWorkflowEnvironment, {
    server: { type: 'time-skipping', executable: { type: 'existing-path', path: temporalBinaries().testServer } },
    supportsTimeSkipping: true,
    connectionOptions: { channelArgs: RARE_PINGS },
  });
}
