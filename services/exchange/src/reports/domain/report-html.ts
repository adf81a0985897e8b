import type { EntryView } from '../../checks/domain/check-verdict.js';
import { type ReportRecord, type ReportSections, SECTION_TITLES } from './report-sections.js';

const escape = (text: string | number | null | undefined): string =>
  String(text ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const table = (headers: string[], rows: string[][]): string =>
  rows.length === 0
    ? '<p class="none">无 None</p>'
    : `<table><thead><tr>${headers.map((h) => `<th>${escape(h)}</th>`).join('')}</tr></thead><tbody>${rows
        .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
        .join('')}</tbody></table>`;

const records = (list: readonly ReportRecord[]): string =>
  table(
    ['Kind', 'Decision', 'Authority', 'Date', 'Status', 'Disclosed until', 'Details'],
    list.map((r) => [
      escape(r.kind),
      escape(r.source.decisionNumber),
      escape(r.source.decidingAuthority),
      escape(r.source.decisionDate),
      escape(r.status),
      escape(r.disclosureUntil),
      Object.entries(r.attributes)
        .map(([k, v]) => `${escape(k)}: ${escape(v)}`)
        .join('<br>'),
    ]),
  );

const entries = (list: readonly EntryView[]): string =>
  table(
    ['List', 'Colour', 'Legal basis', 'Listed', 'Valid until'],
    list.map((e) => [
      escape(e.title),
      escape(e.colour),
      escape(e.legalBasis),
      escape(e.listedAt.slice(0, 10)),
      escape(e.validUntil),
    ]),
  );

/** What the printable page shows: the signed report and how to verify it. */
export interface PrintableReport {
  number: string;
  issuedAt: string;
  subject: { canonicalId: string; name: string };
  preparedFor: { clientId: string; role: string };
  sections: ReportSections;
  sha256: string;
  keyId: string;
}

/** The credit report as one printable HTML page: inline styles, no external assets, everything escaped. */
export function renderReportHtml(report: PrintableReport): string {
  const s = report.sections;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>信用报告 ${escape(report.number)}</title>
<style>
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:2em;color:#111}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.1em;border-bottom:1px solid #999;margin-top:1.6em}
table{border-collapse:collapse;width:100%;font-size:.9em}th,td{border:1px solid #bbb;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#eee}.none{color:#666}.meta td{border:none;padding:.1em .8em .1em 0}footer{margin-top:2em;font-size:.8em;color:#444;word-break:break-all}
@media print{body{margin:1cm}}
</style></head><body>
<h1>信用报告 Credit report</h1>
<table class="meta">
<tr><td>Report number</td><td><strong>${escape(report.number)}</strong></td></tr>
<tr><td>Subject</td><td>${escape(report.subject.name)} (${escape(report.subject.canonicalId)})</td></tr>
<tr><td>Issued</td><td>${escape(report.issuedAt)}</td></tr>
<tr><td>Prepared for</td><td>${escape(report.preparedFor.clientId)} (${escape(report.preparedFor.role)})</td></tr>
</table>
<h2>${escape(SECTION_TITLES.administrativeDecisions)}</h2>${records(s.administrativeDecisions)}
<h2>${escape(SECTION_TITLES.seriousDishonestyLists)}</h2>${entries(s.seriousDishonestyLists)}
<h2>${escape(SECTION_TITLES.commitments)}</h2>${records(s.commitments)}
<h2>${escape(SECTION_TITLES.judicial)}</h2>${records(s.judicial)}
<h2>${escape(SECTION_TITLES.positiveRecordsAndRatings)}</h2>${records(s.positiveRecordsAndRatings.records)}${entries(s.positiveRecordsAndRatings.lists)}
<h2>${escape(SECTION_TITLES.other)}</h2>${records(s.other)}
<footer>Signed by the credit information exchange (Ed25519, key ${escape(report.keyId)}); SHA-256 of the signed report ${escape(report.sha256)}.
Verify at GET /v1/reports/${escape(report.number)}, or offline with the JSON form of this report and the public key of GET /v1/signing-key (cie verify-receipt).</footer>
</body></html>
`;
}
