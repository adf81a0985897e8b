import { type Html, html } from '../html/html.js';
import { table, when } from '../html/layout.js';

export interface AccessReport {
  subject: string;
  records: {
    recordId: string;
    kind: string;
    status: string;
    source: {
      agencyId: string;
      sourceRecordId: string;
      decisionNumber: string;
      decidingAuthority: string;
      decisionDate: string;
    };
    disclosure: { disclosureUntil: string; legalBasis: string; repairableFrom?: string | null };
    versions: { version: number; recordedAt: string; attributes: Record<string, string> }[];
  }[];
  disclosures: {
    recordId: string;
    version: number;
    subscriber: string;
    eventType: string;
    rule: string;
    at: string;
  }[];
  queries: { by: string; subscriber: string | null; purpose: string | null; at: string }[];
}

/**
 * The subject access report as a printable A4 page (its own stylesheet: `@page { size: A4 }` and a
 * CJK font, so names and decisions print in Chinese). The API does not return the subject's name:
 * the desk types it from the subject's papers and it is printed as given.
 */
export function reportPage(report: AccessReport, name: string, printedAt: Date): Html {
  return html`<!doctype html>
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <title>信用信息查询报告 Access report ${report.subject}</title>
        <link rel="stylesheet" href="/assets/report.css" />
      </head>
      <body>
        <main>
          <h1>个人/企业信用信息查询报告 <span lang="en">Subject access report</span></h1>
          <table class="meta">
            <tr>
              <th scope="row">主体名称 Name</th>
              <td data-testid="subject-name">${name || '（未填写）'}</td>
            </tr>
            <tr>
              <th scope="row">主体标识 Subject</th>
              <td><code>${report.subject}</code></td>
            </tr>
            <tr>
              <th scope="row">打印时间 Printed</th>
              <td>${when(printedAt.toISOString())}</td>
            </tr>
          </table>
          <h2>记录 Records (${report.records.length})</h2>
          ${report.records.map(
            (r) =>
              html`<section class="record">
                <h3>${r.source.decidingAuthority} · ${r.source.decisionNumber}</h3>
                <p>
                  ${r.kind} · 状态 status <strong>${r.status}</strong> · 决定日期 ${r.source.decisionDate} ·
                  公示至 ${r.disclosure.disclosureUntil}
                </p>
                <p>依据 Legal basis: ${r.disclosure.legalBasis}</p>
                ${table(
                  ['版本 Version', '记录时间 Recorded', '内容 Content'],
                  r.versions.map(
                    (v) =>
                      html`<tr>
                        <td>${v.version}</td>
                        <td>${when(v.recordedAt)}</td>
                        <td>
                          ${Object.entries(v.attributes).map(([k, val]) => html`<div>${k}: ${val}</div>`)}
                        </td>
                      </tr>`,
                  ),
                )}
              </section>`,
          )}
          <h2>披露记录 Disclosures (${report.disclosures.length})</h2>
          ${table(
            ['时间 When', '接收方 Subscriber', '版本', '事件 Event', '规则 Rule'],
            report.disclosures.map(
              (d) =>
                html`<tr>
                  <td>${when(d.at)}</td>
                  <td>${d.subscriber}</td>
                  <td>${d.version}</td>
                  <td>${d.eventType}</td>
                  <td>${d.rule}</td>
                </tr>`,
            ),
          )}
          <h2>查询记录 Queries (${report.queries.length})</h2>
          ${table(
            ['时间 When', '查询方 By', '用途 Purpose'],
            report.queries.map(
              (q) =>
                html`<tr>
                  <td>${when(q.at)}</td>
                  <td>${q.subscriber ?? q.by}</td>
                  <td>${q.purpose ?? '—'}</td>
                </tr>`,
            ),
          )}
        </main>
      </body>
    </html>`;
}
