import { expect } from 'chai';
import { SimulatedClock } from '../../sim/index.js';

describe("SimulatedClock: the world's stepped time, running between steps", () => {
  it('adds the real time since a step was first seen, restarts at each step, never goes back', () => {
    const world = { time: 1_000_000 };
    let real = 5_000;
    const clock = new SimulatedClock({ now: () => world.time }, () => real);
    expect(clock.now()).to.equal(1_000_000_000);
    real += 2_500;
    expect(clock.now()).to.equal(1_000_002_500);
    world.time += 3600;
    real += 10;
    expect(clock.now(), 'a new step').to.equal(1_003_600_000);
    real += 1_000;
    expect(clock.now()).to.equal(1_003_601_000);
    // A step shorter than the real time since the last one: the clock waits it out.
    real += 5_000;
    expect(clock.now()).to.equal(1_003_606_000);
    world.time += 2;
    expect(clock.now(), 'not back to 1_003_602_000').to.equal(1_003_606_000);
    real += 1_000;
    expect(clock.now()).to.equal(1_003_606_000);
    real += 4_000;
    expect(clock.now()).to.equal(1_003_607_000);
  });
});
