import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository } from 'typeorm';
import { SessionOwnership } from '../cluster/session-ownership';
import { AppConfig } from '../config/app-config';
import { Clock } from '../messaging/clock';
import type { ComposedMessage } from '../messaging/message-composer.service';
import { SEND_SETTLED, type SendSettledEvent } from '../messaging/send-queue.service';
import {
  SessionEvents,
  type SessionConnectedEvent,
  type SessionStateChangedEvent,
} from '../whatsapp/session-events';
import { SessionManager } from '../whatsapp/session-manager';
import { CampaignClaims } from './campaign-claims.service';
import { CampaignContent } from './campaign-content.service';
import { CampaignProgress, emptyCounts } from './campaign-progress.service';
import { intervalOf, localTime, nextAllowed } from './campaign-schedule';
import { CampaignEntity, type CampaignState } from './entities/campaign.entity';

export const OFFLINE = 'session_offline';

interface Run {
  stopped: boolean;
  /** Ends the current wait early (pause, cancel, shutdown). */
  wake?: () => void;
}

/**
 * Runs each running campaign as one loop: checks numbers ahead, waits out quiet hours, the daily
 * cap and the campaign's interval, claims the next recipient with its send-queue job, and waits
 * until that job is settled before the next. A session that is not connected pauses its
 * campaigns (`session_offline`); they go on when it is back. Running campaigns resume at boot.
 */
@Injectable()
export class CampaignRunner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('CampaignRunner');
  private readonly runs = new Map<string, Run>();
  private readonly settled = new Map<string, () => void>();
  private readonly timers = new Map<string, () => void>();
  private closing = false;
  private readonly sendTimeoutMs: number;

  constructor(
    @InjectRepository(CampaignEntity) private readonly campaigns: Repository<CampaignEntity>,
    private readonly claims: CampaignClaims,
    private readonly content: CampaignContent,
    private readonly progress: CampaignProgress,
    private readonly sessions: SessionManager,
    private readonly clock: Clock,
    private readonly dataSource: DataSource,
    config: AppConfig,
    private readonly ownership: SessionOwnership,
  ) {
    this.sendTimeoutMs = config.messaging.sendTimeoutMs;
  }

  async onApplicationBootstrap(): Promise<void> {
    // in a cluster, a campaign runs in the process that owns its session: it is launched there
    // when the session connects (below)
    if (this.ownership.clustered) {
      return;
    }
    const open = await this.campaigns.find({ where: { state: In(['running', 'scheduled']) } });
    for (const campaign of open) {
      this.launch(campaign);
    }
  }

  onModuleDestroy(): void {
    this.closing = true;
    for (const run of this.runs.values()) {
      run.stopped = true;
      run.wake?.();
    }
    this.timers.forEach((cancel) => cancel());
    this.timers.clear();
  }

  /** Starts the loop of a running campaign, or schedules a scheduled one. */
  launch(loaded: CampaignEntity): void {
    // ids are numbers on SQLite and strings on MySQL: the maps are keyed by strings
    const campaign = { ...loaded, id: String(loaded.id) };
    if (this.closing || this.runs.has(campaign.id)) {
      return;
    }
    if (campaign.state === 'scheduled' && campaign.scheduledAt) {
      this.timers.get(campaign.id)?.();
      this.timers.set(
        campaign.id,
        this.clock.schedule(campaign.scheduledAt, () => {
          this.timers.delete(campaign.id);
          void this.startScheduled(campaign.id);
        }),
      );
      return;
    }
    if (campaign.state !== 'running') {
      return;
    }
    const run: Run = { stopped: false };
    this.runs.set(campaign.id, run);
    this.loop(campaign.id, run)
      .catch(async (error: unknown) => {
        // a database or WhatsApp error the loop does not expect: paused with the reason, not
        // left `running` without a loop
        this.logger.error(`campaign ${campaign.id} stopped: ${String(error)}`);
        if (!this.closing) {
          const reason = `stopped by an error: ${error instanceof Error ? error.message : String(error)}`;
          await this.transition(campaign.id, ['running'], 'paused', reason.slice(0, 255)).catch(
            () => undefined,
          );
        }
      })
      .finally(() => {
        if (this.runs.get(campaign.id) === run) {
          this.runs.delete(campaign.id);
        }
      });
  }

  /** Stops the campaign's loop (a job already queued still goes). */
  halt(campaignId: string): void {
    this.timers.get(campaignId)?.();
    this.timers.delete(campaignId);
    const run = this.runs.get(campaignId);
    if (run) {
      run.stopped = true;
      run.wake?.();
      this.runs.delete(campaignId);
    }
    this.content.forget(campaignId);
    this.progress.holdUntil(campaignId, null);
  }

  /**
   * Moves a campaign to `state` if it is in one of `from` (false when it was not), with its
   * `CampaignProgress` webhook in the same transaction.
   */
  async transition(
    campaignId: string,
    from: CampaignState[],
    state: CampaignState,
    pauseReason: string | null = null,
  ): Promise<boolean> {
    const now = this.clock.now();
    const moved = await this.dataSource.transaction(async (manager) => {
      const result = await manager.update(
        CampaignEntity,
        { id: campaignId, state: In(from) },
        {
          state,
          pauseReason,
          ...(state === 'completed' || state === 'cancelled' ? { finishedAt: now } : {}),
        },
      );
      if ((result.affected ?? 0) === 0) {
        return false;
      }
      const campaign = await manager.findOneByOrFail(CampaignEntity, { id: campaignId });
      const counts = await this.progress.counts([campaignId], manager);
      await this.progress.recordWebhook(
        manager,
        campaign,
        counts.get(String(campaignId)) ?? emptyCounts(),
        now,
      );
      return true;
    });
    if (moved) {
      this.progress.touch(campaignId, true);
    }
    return moved;
  }

  @OnEvent(SEND_SETTLED)
  onSettled(event: SendSettledEvent): void {
    this.settled.get(event.messageId)?.();
  }

  /** Campaigns paused because their session went offline go on once it is back. */
  @OnEvent(SessionEvents.Connected, { async: true, suppressErrors: true })
  async onConnected(event: SessionConnectedEvent): Promise<void> {
    if (this.closing) {
      return;
    }
    if (this.ownership.clustered) {
      // the session may come from another process: its open campaigns go on here
      const open = await this.campaigns.find({
        where: { sessionId: event.sessionId, state: In(['running', 'scheduled']) },
      });
      open.forEach((campaign) => this.launch(campaign));
    }
    const paused = await this.campaigns.find({
      where: { sessionId: event.sessionId, state: 'paused', pauseReason: OFFLINE },
    });
    for (const campaign of paused) {
      if (await this.transition(campaign.id, ['paused'], 'running')) {
        this.launch({ ...campaign, state: 'running' });
      }
    }
  }

  /** A session that leaves `connected` pauses its running campaigns at once, with the reason. */
  @OnEvent(SessionEvents.StateChanged, { async: true, suppressErrors: true })
  async onStateChanged(event: SessionStateChangedEvent): Promise<void> {
    if (this.closing || event.state === 'connected' || event.previousState !== 'connected') {
      return;
    }
    const running = await this.campaigns.find({
      select: { id: true },
      where: { sessionId: event.sessionId, state: 'running' },
    });
    for (const campaign of running) {
      await this.pauseOffline(String(campaign.id), event.sessionId);
    }
  }

  /**
   * Pauses a running campaign whose session is not connected. The session may have come back
   * meanwhile, and `onConnected` may have looked for campaigns to resume before this pause was
   * stored: then the campaign goes on at once instead of staying paused for good.
   */
  private async pauseOffline(campaignId: string, sessionId: string): Promise<void> {
    if (!(await this.transition(campaignId, ['running'], 'paused', OFFLINE))) {
      return;
    }
    this.halt(campaignId);
    if (this.closing || !this.connected(sessionId)) {
      return;
    }
    const paused = await this.campaigns.findOneBy({
      id: campaignId,
      state: 'paused',
      pauseReason: OFFLINE,
    });
    if (paused && (await this.transition(campaignId, ['paused'], 'running'))) {
      this.logger.log(`campaign ${campaignId}: its session is back, going on`);
      this.launch({ ...paused, state: 'running' });
    }
  }

  private async startScheduled(campaignId: string): Promise<void> {
    const scheduled = await this.campaigns.findOneBy({ id: campaignId });
    if (scheduled && !this.ownership.holds(scheduled.sessionId)) {
      return; // its session moved to another process, whose timer starts it
    }
    if (await this.transition(campaignId, ['scheduled'], 'running')) {
      const campaign = await this.campaigns.findOneBy({ id: campaignId });
      if (campaign) {
        this.launch(campaign);
      }
    }
  }

  private connected(sessionId: string): boolean {
    return this.sessions.get(sessionId)?.state === 'connected';
  }

  private async loop(campaignId: string, run: Run): Promise<void> {
    const campaign = await this.campaigns.findOneBy({ id: campaignId });
    if (!campaign || campaign.state !== 'running') {
      return;
    }
    if (!campaign.startedAt) {
      await this.campaigns.update({ id: campaignId }, { startedAt: this.clock.now() });
    }
    let composed: ComposedMessage | undefined;
    while (!run.stopped) {
      if (!this.ownership.holds(campaign.sessionId)) {
        return; // the session moved to another process, which goes on with the campaign
      }
      if (!this.connected(campaign.sessionId)) {
        await this.pauseOffline(campaignId, campaign.sessionId);
        return;
      }
      try {
        composed ??= await this.content.forCampaign(
          campaignId,
          campaign.sessionId,
          campaign.message,
        );
      } catch (error) {
        const reason = `the message could not be prepared: ${error instanceof Error ? error.message : String(error)}`;
        await this.transition(campaignId, ['running'], 'paused', reason.slice(0, 255));
        return;
      }
      const wait = await this.waitUntil(campaign);
      if (wait) {
        this.progress.holdUntil(campaignId, wait);
        await this.sleepUntil(wait, run);
        this.progress.holdUntil(campaignId, null);
        continue;
      }
      const claim = await this.claims.claimNext(campaign, composed, () => !run.stopped);
      switch (claim.kind) {
        case 'none':
          await this.transition(campaignId, ['running'], 'completed');
          this.content.forget(campaignId);
          return;
        case 'check':
          await this.checkNumbers(campaign);
          break;
        case 'skipped':
          this.progress.touch(campaignId);
          break;
        case 'queued':
          await this.sendAndWait(claim.messageId, claim.start, run);
          this.progress.touch(campaignId);
          await this.sleepUntil(
            new Date(this.clock.now().getTime() + intervalOf(campaign.pacing)),
            run,
          );
          break;
        default: {
          const unreachable: never = claim;
          throw new Error(`unknown claim ${String(unreachable)}`);
        }
      }
    }
  }

  private async checkNumbers(campaign: CampaignEntity): Promise<void> {
    try {
      await this.claims.checkNext(campaign);
      this.progress.touch(campaign.id);
    } catch (error) {
      // the session went away mid-check: the loop's next turn pauses the campaign
      this.logger.warn(`campaign ${campaign.id}: numbers not checked: ${String(error)}`);
      if (this.connected(campaign.sessionId)) {
        throw error;
      }
    }
  }

  /** When quiet hours or the daily cap hold the next send back: until when. */
  private async waitUntil(campaign: CampaignEntity): Promise<Date | null> {
    const { pacing } = campaign;
    if (!pacing.quietHours && !pacing.dailyCap) {
      return null;
    }
    const now = this.clock.now();
    let capReached = false;
    if (pacing.dailyCap) {
      const local = localTime(now, pacing.timeZone);
      const dayStart = new Date(
        Math.floor(now.getTime() / 60_000) * 60_000 - local.minutes * 60_000,
      );
      capReached = (await this.claims.claimedSince(campaign.id, dayStart)) >= pacing.dailyCap;
    }
    return nextAllowed(now, pacing, capReached);
  }

  /**
   * Starts the job and waits until the queue settles it. Bounded: a job the queue never reports
   * (its send went out but could not be stored) holds the campaign for SEND_TIMEOUT_MS at most;
   * its recipient stays `queued`.
   */
  private sendAndWait(messageId: string, start: () => void, run: Run): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        cancel();
        this.settled.delete(messageId);
        run.wake = undefined;
        resolve();
      };
      const cancel = this.clock.schedule(
        new Date(this.clock.now().getTime() + this.sendTimeoutMs + 60_000),
        done,
      );
      this.settled.set(messageId, done);
      run.wake = done;
      start();
    });
  }

  private sleepUntil(at: Date, run: Run): Promise<void> {
    if (at.getTime() <= this.clock.now().getTime() || run.stopped) {
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const cancel = this.clock.schedule(at, () => done());
      const done = () => {
        cancel();
        run.wake = undefined;
        resolve();
      };
      run.wake = done;
    });
  }
}
