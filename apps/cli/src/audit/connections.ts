// What a `massline audit` command is given: where it writes, its environment, and the connections it opens on
// demand (index.ts and the commands in their own files share them).
import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import type { MasslineConfig } from '../../../../libs/config/src';
import { connectTemporal, type TemporalHandles } from '../../../../libs/temporal/src';
import { createDataSource } from '../../../../libs/persistence/src/data-source';
import { AuditStore } from '../../../../libs/audit/src';

export interface AuditIo {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
}

/** Connections opened on demand and closed at the end of the command. */
export class Connections {
  private temporal?: TemporalHandles;
  private dataSource?: DataSource;
  constructor(private readonly config: MasslineConfig) {}

  get namespace(): string {
    return this.config.temporal.namespace;
  }

  async client(): Promise<Client> {
    this.temporal ??= await connectTemporal(this.config);
    return this.temporal.client;
  }

  async store(): Promise<AuditStore> {
    if (!this.dataSource) {
      this.dataSource = createDataSource(this.config, { poolSize: 4, applicationName: 'massline-audit' });
      await this.dataSource.initialize();
    }
    return new AuditStore(this.dataSource);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.temporal?.connection.close(), this.dataSource?.isInitialized ? this.dataSource.destroy() : undefined]);
  }
}
export type AuditConnections = Connections;
