import { expect } from 'chai';
import { indexActivity, waitForIndex } from '../../couch/index-activity.js';
import { CouchError } from '../../couch/errors.js';
import { setUpTestDatabases } from '../support/couch.js';

describe('index activity (_info of a design document)', () => {
  it('reads what Apache CouchDB says of an index, and nothing from pouchdb-server', async () => {
    const { couch, names } = await setUpTestDatabases('index-activity');
    const db = couch.server.use(names.requests);
    await db.view('_designDoc', 'types', { limit: 1 });
    const activity = await indexActivity(couch.server, names.requests, '_designDoc');
    if (couch.embedded) {
      expect(activity).to.equal(undefined);
    } else {
      expect(activity?.waitingClients).to.equal(0);
      expect(activity?.waitingCommit).to.be.a('boolean');
    }
    expect(
      await waitForIndex(couch.server, names.requests, '_designDoc', (a) => !a.waitingCommit, {
        timeoutMs: 30_000,
      }),
    ).to.equal(true);
    if (!couch.embedded) {
      // Never settles: false once the time is up.
      expect(
        await waitForIndex(couch.server, names.requests, '_designDoc', () => false, {
          timeoutMs: 200,
          pollMs: 50,
        }),
      ).to.equal(false);
    }
  });

  it('says which design document it could not read', async () => {
    const { couch, names } = await setUpTestDatabases('index-activity-missing');
    const failure = await indexActivity(couch.server, names.requests, 'nothing-here').then(
      () => undefined,
      (err: unknown) => err,
    );
    if (couch.embedded) {
      // pouchdb-server answers _info for any name.
      expect(failure).to.equal(undefined);
    } else {
      expect(failure).to.be.instanceOf(CouchError);
      expect((failure as Error).message).to.contain('reading the index state of nothing-here');
    }
  });
});
