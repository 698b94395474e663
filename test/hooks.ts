import { stopTestCouch } from './support/couch.js';

export const mochaHooks = {
  async afterAll(): Promise<void> {
    await stopTestCouch();
  },
};
