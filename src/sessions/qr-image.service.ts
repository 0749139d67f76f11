import { Injectable } from '@nestjs/common';
import QRCode from 'qrcode';

const OPTIONS = { errorCorrectionLevel: 'M', margin: 2, width: 300 } as const;

const PNG_DATA_URL = /^data:image\/png;base64,/;

/**
 * Renders QR strings as PNG (bytes or data URL), remembering the last few rendered. A QR that
 * already is a PNG data URL (an engine reporting through the webhook ingest sends its image,
 * not the code) is passed through as it is.
 */
@Injectable()
export class QrImageService {
  private readonly cache = new Map<string, Buffer>();

  async png(qr: string): Promise<Buffer> {
    if (PNG_DATA_URL.test(qr)) {
      return Buffer.from(qr.replace(PNG_DATA_URL, ''), 'base64');
    }
    const cached = this.cache.get(qr);
    if (cached) {
      return cached;
    }
    const png = await QRCode.toBuffer(qr, { ...OPTIONS, type: 'png' });
    this.cache.set(qr, png);
    if (this.cache.size > 200) {
      this.cache.delete(this.cache.keys().next().value as string);
    }
    return png;
  }

  async dataUrl(qr: string): Promise<string> {
    if (PNG_DATA_URL.test(qr)) {
      return qr;
    }
    return `data:image/png;base64,${(await this.png(qr)).toString('base64')}`;
  }
}
