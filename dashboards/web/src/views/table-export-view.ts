import type { EndpointRow } from '../../../../workers/query/api-types.js';
import type { OverviewRow } from '../domain/service-overview.js';
import { buildEndpointsCsv, buildOverviewCsv } from '../domain/table-csv.js';
import { downloadFile, downloadName } from './download-file.js';
import { requireElement } from './require-element.js';

export interface TableExportSources {
  /** The overview's rows as shown. */
  overview(): OverviewRow[];
  /** Every row of the endpoint table as sorted and filtered now, all pages (one or more API calls). */
  endpoints(): Promise<EndpointRow[]>;
}

const csvType = 'text/csv;charset=utf-8';

/** The tables' "Download CSV" buttons. */
export class TableExportView {
  private readonly overviewButton = requireElement('overview-csv', HTMLButtonElement);
  private readonly endpointsButton = requireElement('endpoints-csv', HTMLButtonElement);
  private readonly endpointsStatus = requireElement('endpoints-csv-status', HTMLSpanElement);

  constructor(private readonly sources: TableExportSources) {
    this.overviewButton.addEventListener('click', () => {
      const csv = buildOverviewCsv(this.sources.overview());
      downloadFile(downloadName('services', 'csv'), new Blob([csv], { type: csvType }));
    });
    this.endpointsButton.addEventListener('click', () => void this.exportEndpoints());
  }

  private async exportEndpoints(): Promise<void> {
    this.endpointsButton.disabled = true;
    this.endpointsStatus.textContent = 'Exporting…';
    try {
      const rows = await this.sources.endpoints();
      downloadFile(downloadName('endpoints', 'csv'), new Blob([buildEndpointsCsv(rows)], { type: csvType }));
      this.endpointsStatus.textContent = `Exported ${rows.length} endpoint${rows.length === 1 ? '' : 's'}.`;
    } catch (error) {
      // The API's own message (its code and request id) says what failed; the table itself stays as it is.
      this.endpointsStatus.textContent = `Export failed: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      this.endpointsButton.disabled = false;
    }
  }
}
