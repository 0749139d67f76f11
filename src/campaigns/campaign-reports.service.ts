import { Injectable, StreamableFile } from '@nestjs/common';
import { csvStream, EXPORT_CONTENT_TYPES, xlsxStream } from '../common/http/table-export';
import { CampaignsService } from './campaigns.service';
import type { RecipientViewDto } from './dto/campaign-view.dto';

const COLUMNS: (keyof RecipientViewDto)[] = [
  'address',
  'jid',
  'name',
  'state',
  'reason',
  'messageId',
  'queuedAt',
  'updatedAt',
];

/** A campaign's report (every recipient with its state), streamed as CSV or XLSX. */
@Injectable()
export class CampaignReports {
  constructor(private readonly campaigns: CampaignsService) {}

  async file(
    sessionId: string,
    campaignId: string,
    state: string | undefined,
    format: 'csv' | 'xlsx',
  ): Promise<StreamableFile> {
    // a 404 before the download starts
    await this.campaigns.find(sessionId, campaignId);
    const batches = this.campaigns.report(sessionId, campaignId, state);
    const stream =
      format === 'csv' ? csvStream(batches, COLUMNS) : xlsxStream(batches, COLUMNS, 'recipients');
    return new StreamableFile(stream, {
      type: EXPORT_CONTENT_TYPES[format],
      disposition: `attachment; filename="campaign-${campaignId}-report.${format}"`,
    });
  }
}
