import { expect } from 'chai';
import { pino } from 'pino';
import { composeUpdater } from '../compose.js';
import { openRepositories } from '../couch/open-databases.js';
import { loadConfig } from '../lib/config.js';
import { runUpdate } from '../updater/run.js';
import { FakeUpstream, RecordingNotifier } from './support/fake-upstream.js';
import { setUpTestDatabases } from './support/couch.js';
import { mcmTaskChainDocument, TASKCHAIN_NAME } from './updater/fixtures.js';

const silent = pino({ level: 'silent' });

describe('compose: the updater built from the configuration, with fakes passed in', function () {
  this.timeout(60_000);

  it('runs an update through the fakes it was given, into the databases it was given', async () => {
    const { couch, names } = await setUpTestDatabases('compose');
    const repositories = openRepositories(couch.admin, names);
    const upstream = new FakeUpstream();
    upstream.put(mcmTaskChainDocument());
    const notifier = new RecordingNotifier();
    const updater = await composeUpdater(
      loadConfig({}),
      { repositories, logger: silent, triggers: ['dev'] },
      { upstream, notifier },
    );
    expect(updater.deps.upstream).to.equal(upstream);
    expect(updater.deps.notifier).to.equal(notifier);
    const summary = await runUpdate(updater.deps, { now: () => 1_800_000_000, triggers: ['dev'] });
    await updater.close();
    expect(summary.changed).to.equal(1);
    expect((await repositories.workflows.get(TASKCHAIN_NAME))?.RequestName).to.equal(
      TASKCHAIN_NAME,
    );
    expect(notifier.sent).to.deep.equal([{ name: TASKCHAIN_NAME, target: 'dev' }]);
  });

  it('builds the real clients from the configuration, and a notifier only when asked to notify', async () => {
    const { couch, names } = await setUpTestDatabases('compose');
    const repositories = openRepositories(couch.admin, names);
    const config = loadConfig({});
    const quiet = await composeUpdater(config, { repositories, logger: silent });
    expect(quiet.deps.upstream).to.have.property('changes').that.is.a('function');
    expect(quiet.deps.notifier).to.equal(undefined);
    await quiet.close();
    const notifying = await composeUpdater(config, {
      repositories,
      logger: silent,
      triggers: ['prod'],
    });
    expect(notifying.deps.notifier).to.have.property('notify').that.is.a('function');
    await notifying.close();
  });
});
