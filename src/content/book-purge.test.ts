import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, it } from 'node:test';
import { operatorActor } from '../accounts/policy.js';
import { purgeAll, purgeSettings } from '../retention.js';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp } from '../../test/helpers/app.js';
import { epub3 } from '../../test/helpers/books.js';

describeEachDialect('purge of deleted titles', (dialect) => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(dialect);
  });
  after(() => t.close());

  it('removes titles deleted longer ago than the retention period with their files, links and progress, and keeps the rest', async () => {
    const { id: customerId } = await seedCustomer(t.ctx, { rostering: { retentionDays: 30 } as never });
    const upload = async (title: string) => t.ctx.content.upload(operatorActor, customerId, Readable.from([await epub3({ title })]), `${title}.epub`);
    const [old, recent, kept] = [await upload('Old'), await upload('Recent'), await upload('Kept')];
    const shelf = await t.ctx.content.createCollection(operatorActor, customerId, { name: 'Shelf' });
    await t.ctx.content.setCollectionBooks(operatorActor, customerId, shelf.id, [old.id, kept.id]);
    const reader = await t.ctx.db.kysely.selectFrom('users').select('id').where('customer_id', '=', customerId).executeTakeFirstOrThrow();
    await t.ctx.content.assign(operatorActor, customerId, { bookIds: [old.id, kept.id], userIds: [reader.id] });
    await t.ctx.reader.saveProgress(customerId, reader.id, old.id, { position: 'epubcfi(/6/2)', progress: 0.5 });
    const files = async (id: string) => {
      const book = await t.ctx.db.kysely.selectFrom('books').select(['file_key', 'cover_key']).where('id', '=', id).executeTakeFirstOrThrow();
      return [book.file_key, ...(book.cover_key ? [book.cover_key] : [])];
    };
    const oldFiles = await files(old.id);
    await t.ctx.content.remove(operatorActor, customerId, old.id);
    await t.ctx.content.remove(operatorActor, customerId, recent.id);
    const now = new Date('2030-01-31T00:00:00Z');
    await t.ctx.db.kysely.updateTable('books').set({ deleted_at: '2029-12-01T00:00:00.000Z' }).where('id', '=', old.id).execute();
    await t.ctx.db.kysely.updateTable('books').set({ deleted_at: '2030-01-15T00:00:00.000Z' }).where('id', '=', recent.id).execute();

    const result = await purgeAll(t.ctx.db.kysely, t.ctx.contentStore, t.ctx.bundles, { ...purgeSettings(t.ctx.config), now });

    assert.equal(result.books, 1);
    const left = await t.ctx.db.kysely.selectFrom('books').select('title').where('customer_id', '=', customerId).orderBy('title').execute();
    assert.deepEqual(
      left.map((b) => b.title),
      ['Kept', 'Recent'],
    );
    for (const key of oldFiles) await assert.rejects(t.ctx.contentStore.stat(customerId, key), { code: 'NOT_FOUND' });
    for (const key of await files(kept.id)) assert.ok((await t.ctx.contentStore.stat(customerId, key)).sizeBytes > 0);
    const links = async (table: 'assignments' | 'collection_books' | 'reading_progress', bookId: string) =>
      (await t.ctx.db.kysely.selectFrom(table).select('book_id').where('book_id', '=', bookId).execute()).length;
    assert.deepEqual([await links('assignments', old.id), await links('collection_books', old.id), await links('reading_progress', old.id)], [0, 0, 0]);
    assert.deepEqual([await links('assignments', kept.id), await links('collection_books', kept.id)], [1, 1]);
    // A second purge finds nothing more to do.
    assert.equal((await purgeAll(t.ctx.db.kysely, t.ctx.contentStore, t.ctx.bundles, { ...purgeSettings(t.ctx.config), now })).books, 0);
  });
});
