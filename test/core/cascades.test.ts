import { beforeEach, expect, it } from 'vitest';
import { Cascade, Collection } from '@mikro-orm/core';
import { AuditTrail, auditHistory, auditOf } from '../../src/index.js';
import { Entity, ManyToOne, OneToMany, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';

@Entity()
@AuditTrail()
class Playlist {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @OneToMany(() => Track, track => track.playlist, { cascade: [Cascade.ALL], orphanRemoval: true })
  tracks = new Collection<Track>(this);
}

@Entity()
@AuditTrail()
class Track {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @ManyToOne(() => Playlist) playlist!: Playlist;
}

const PlaylistAudit = auditOf(Playlist);
const TrackAudit = auditOf(Track);

describeOnEachDatabase('ORM cascades', { file: import.meta.url, config: { entities: [Playlist, Track] } }, ctx => {
  beforeEach(() => refreshSchema(ctx.t.orm));

  async function seed() {
    const em = ctx.t.orm.em.fork();
    const playlist = em.create(Playlist, { name: 'Mix' });
    ['a', 'b', 'c'].forEach(title => playlist.tracks.add(em.create(Track, { title, playlist })));
    await em.flush();
    return playlist.id;
  }

  it('writes D rows for children removed by Cascade.REMOVE, one statement per class', async () => {
    const id = await seed();
    const em = ctx.t.orm.em.fork();
    const playlist = await em.findOneOrFail(Playlist, id, { populate: ['tracks'] });
    em.remove(playlist);
    ctx.t.reset();
    await em.flush();
    expect(ctx.t.writesTo('track_audit')).toHaveLength(1);
    expect(ctx.t.writesTo('playlist_audit')).toHaveLength(1);
    const tracks = await ctx.t.orm.em.fork().find(TrackAudit, { _audit_change_type: 'D' });
    expect(tracks.map(t => [t.title, t.playlist?.id]).sort()).toEqual([['a', id], ['b', id], ['c', id]]);
    expect(await ctx.t.orm.em.fork().count(PlaylistAudit, { _audit_change_type: 'D' })).toBe(1);
  });

  it('keeps the stored owner in the D row of an orphan, although MikroORM unsets it first', async () => {
    const id = await seed();
    const em = ctx.t.orm.em.fork();
    const playlist = await em.findOneOrFail(Playlist, id, { populate: ['tracks'] });
    const orphan = playlist.tracks.getItems().find(t => t.title === 'b')!;
    playlist.tracks.remove(orphan);
    await em.flush();
    const [row] = await auditHistory(ctx.t.orm.em.fork(), orphan);
    expect(row).toMatchObject({ _audit_change_type: 'D', title: 'b' });
    expect(row!.playlist?.id).toBe(id);
  });

  it('can be queried by time, like any other Date column', async () => {
    const before = new Date(Date.now() - 1000);
    await seed();
    const em = ctx.t.orm.em.fork();
    expect(await em.count(TrackAudit, { _audit_timestamp: { $gte: before } })).toBe(3);
    expect(await em.count(TrackAudit, { _audit_timestamp: { $lt: before } })).toBe(0);
  });
});
