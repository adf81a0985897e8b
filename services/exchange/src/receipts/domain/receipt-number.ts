/** Receipt numbers: `CHK-YYYYMMDD-nnnnnn` for checks, `RPT-…` for credit reports, from a sequence. */
export type ReceiptKind = 'check' | 'report';

const PREFIX: Record<ReceiptKind, string> = { check: 'CHK', report: 'RPT' };
const NUMBER = /^(CHK|RPT)-(\d{8})-(\d{6,})$/;

/** The number of the `sequence`-th receipt of its kind, issued on `chinaDay` (YYYY-MM-DD, China time). */
export function receiptNumber(
  kind: ReceiptKind,
  chinaDay: string,
  sequence: bigint | number | string,
): string {
  return `${PREFIX[kind]}-${chinaDay.replaceAll('-', '')}-${BigInt(sequence).toString().padStart(6, '0')}`;
}

/** The kind a number names, or undefined when it is not a receipt number. */
export function receiptKindOf(number: string): ReceiptKind | undefined {
  const match = NUMBER.exec(number);
  if (!match) return undefined;
  return match[1] === 'CHK' ? 'check' : 'report';
}
