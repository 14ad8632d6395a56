import type { Clock, TimerHandle } from '../../src';

interface Timer {
  at: number;
  fn: () => void;
  keepAlive: boolean;
  id: number;
}

/** A simulated clock: time moves only when a test advances it; due timers fire in order. */
export class FakeClock implements Clock {
  private time = 0;
  private nextId = 0;
  private timers: Timer[] = [];

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number, keepAlive: boolean): TimerHandle {
    const timer = { at: this.time + Math.max(0, ms), fn, keepAlive, id: this.nextId++ };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** Timers waiting, with whether each would keep a real process alive. */
  pending(): Array<{ in: number; keepAlive: boolean }> {
    return this.timers.map((t) => ({ in: t.at - this.time, keepAlive: t.keepAlive }));
  }

  /** Moves time forward by `ms`, firing due timers in order and letting promises settle between them. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    await settle();
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = Math.max(this.time, due.at);
      due.fn();
      await settle();
    }
    this.time = end;
    await settle();
  }
}

/** Lets pending promise callbacks run (several macrotask turns). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}
