import { Injectable } from '@nestjs/common';
import QRCode from 'qrcode';

const OPTIONS = { errorCorrectionLevel: 'M', margin: 2, width: 300 } as const;

/** Renders QR strings as PNG (bytes or data URL), remembering the last few rendered. */
@Injectable()
export class QrImageService {
  private readonly cache = new Map<string, Buffer>();

  async png(qr: string): Promise<Buffer> {
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
    return `data:image/png;base64,${(await this.png(qr)).toString('base64')}`;
  }
}
