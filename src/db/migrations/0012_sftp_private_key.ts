import type { Kysely } from 'kysely';

/** SFTP sign-in by private key (OpenSSH or PEM), sealed like the password. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('rostering_configs').addColumn('sftp_private_key_enc', 'text').execute();
}
