import { Injectable } from '@nestjs/common';

/**
 * The ports through which modules above `sessions` contribute to it, so that `sessions` imports
 * none of them: the messaging module reports how many sends a session has queued (shown in its
 * status), the contacts module removes a session's stored contacts when the session is purged.
 */
@Injectable()
export class SessionHooks {
  private readonly queueGauges: Array<(sessionId: string) => number> = [];
  private readonly purgers: Array<(sessionId: string) => Promise<void>> = [];

  /** `gauge` counts the session's queued outbound work; a status shows the sum of all gauges. */
  reportQueueLength(gauge: (sessionId: string) => number): void {
    this.queueGauges.push(gauge);
  }

  /** `purger` deletes what its module stored for a session that is removed with `purge`. */
  onPurge(purger: (sessionId: string) => Promise<void>): void {
    this.purgers.push(purger);
  }

  queueLength(sessionId: string): number {
    return this.queueGauges.reduce((sum, gauge) => sum + gauge(sessionId), 0);
  }

  async purge(sessionId: string): Promise<void> {
    for (const purger of this.purgers) {
      await purger(sessionId);
    }
  }
}
