import { Controller, Get } from '@nestjs/common';
import { ReceiptService } from './receipt.service.js';

/**
 * The public key that verifies the exchange's receipts, open like health: it is public by design, so
 * that a receipt kept with a file verifies offline, years later, without a key of the exchange.
 */
@Controller('v1/signing-key')
export class SigningKeyController {
  constructor(private readonly receipts: ReceiptService) {}

  @Get()
  key() {
    return this.receipts.publicKey();
  }
}
